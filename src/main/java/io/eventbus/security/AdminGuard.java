package io.eventbus.security;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The gate of the HTTP endpoints that show or change more than health: {@code /stats} and Jolokia
 * (under {@code /observe/}). They answer requests from the node's own host (loopback); from
 * elsewhere only with a bus token whose admin permission covers every name ({@code *}), sent as
 * {@code Authorization: Bearer <token>} or, for Hawtio's connect form, as the password of HTTP
 * Basic. {@code /ping}, {@code /health} and {@code /metrics} are not behind it.
 * With {@code eventbus.admin-any-address=true} it lets every request through (a private network,
 * or a proxy in front that checks).
 */
public final class AdminGuard implements AuthenticationHandler {

    private static final String BASIC = "basic ";
    private static final String CHALLENGE = "Basic realm=\"event-bus\", Bearer realm=\"event-bus\"";

    private final boolean anyAddress;
    private final Tokens tokens;

    /** {@code tokens}: those of eventbus.auth.tokens when auth is enabled, else none. */
    public AdminGuard(boolean anyAddress, Tokens tokens) {
        this.anyAddress = anyAddress;
        this.tokens = tokens;
    }

    @Override
    public void handle(RoutingContext context) {
        if (anyAddress || isLoopback(context.request().remoteAddress())) {
            context.next();
            return;
        }
        String token = credential(context.request().getHeader(HttpHeaders.AUTHORIZATION));
        Optional<Grant> grant = token == null ? Optional.empty() : tokens.find(token);
        if (grant.isEmpty()) {
            refuse(context, 401, token == null
                    ? "this endpoint answers the node's own host only, or a bus token with admin '*'"
                            + (tokens.isEmpty() ? " (eventbus.auth.enabled is false: no token is accepted)" : "")
                    : "the token is not one this bus knows");
        } else if (!grant.get().allowsEverything(Permission.ADMIN)) {
            refuse(context, 403, "this token may not read the node's admin endpoints: it needs admin '*'");
        } else {
            context.next();
        }
    }

    private static void refuse(RoutingContext context, int status, String why) {
        context.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader("WWW-Authenticate", CHALLENGE)
                .end("{\"status\":" + status + ",\"error\":\"" + why.replace("\"", "'") + "\"}");
    }

    /** The token of a Bearer value, or the password (else the user) of a Basic one. */
    static String credential(String authorization) {
        String bearer = Tokens.bearer(authorization);
        if (bearer != null || authorization == null) {
            return bearer;
        }
        if (!authorization.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        String user = colon < 0 ? decoded : decoded.substring(0, colon);
        String password = colon < 0 ? "" : decoded.substring(colon + 1);
        String token = password.isEmpty() ? user : password;
        return token.isEmpty() ? null : token;
    }

    static boolean isLoopback(SocketAddress address) {
        if (address == null || address.host() == null) {
            return false;
        }
        try {
            // a literal address: no name is looked up
            return InetAddress.getByName(address.host()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
