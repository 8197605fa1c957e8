package io.eventbus.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Every gRPC call must carry {@code authorization: Bearer <token>} metadata with a token the bus
 * knows ({@link Tokens}); otherwise it ends at once with UNAUTHENTICATED, before its request is
 * read. The token's {@link Grant} travels with the call in {@link #GRANT} for {@link Authorization}.
 * Installed only when {@code eventbus.auth.enabled=true}.
 */
public final class Authentication implements ServerInterceptor {

    /** The grant of the call's token, for the rest of the call. */
    public static final Context.Key<Grant> GRANT = Context.key("eventbus-grant");
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Tokens tokens;
    private final Consumer<Status.Code> refused;

    /** {@code refused} hears the status of each call turned away (for the metrics). */
    public Authentication(Tokens tokens, Consumer<Status.Code> refused) {
        this.tokens = tokens;
        this.refused = refused;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String authorization = headers.get(AUTHORIZATION);
        String token = Tokens.bearer(authorization);
        if (token == null) {
            return refuse(call, authorization == null
                    ? "no credentials: send the metadata 'authorization: Bearer <token>'"
                    : "the authorization metadata is not of the form 'Bearer <token>'");
        }
        Optional<Grant> grant = tokens.find(token);
        if (grant.isEmpty()) {
            return refuse(call, "the bearer token is not one this bus knows");
        }
        return Contexts.interceptCall(Context.current().withValue(GRANT, grant.get()), call, headers, next);
    }

    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String why) {
        refused.accept(Status.Code.UNAUTHENTICATED);
        call.close(Status.UNAUTHENTICATED.withDescription(why), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
