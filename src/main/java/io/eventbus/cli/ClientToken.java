package io.eventbus.cli;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.net.http.HttpRequest;
import picocli.CommandLine.Option;

/** The {@code --token} option of the clients: a bus token sent as {@code authorization: Bearer <token>}. */
public final class ClientToken {

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:EVENTBUS_TOKEN}",
            description = "A bus token, for a bus with eventbus.auth.enabled=true (default: the environment's "
                    + "EVENTBUS_TOKEN). Better from the environment than on a command line others can see.")
    String token;

    boolean present() {
        return token != null && !token.isBlank();
    }

    /** Adds the token to every call of a channel. */
    ClientInterceptor interceptor() {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token.trim());
        return MetadataUtils.newAttachHeadersInterceptor(metadata);
    }

    /** Adds the token to an HTTP request (/stats from another host needs one with admin '*'). */
    HttpRequest.Builder apply(HttpRequest.Builder request) {
        return present() ? request.header("Authorization", "Bearer " + token.trim()) : request;
    }
}
