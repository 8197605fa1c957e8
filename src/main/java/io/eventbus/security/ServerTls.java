package io.eventbus.security;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * The node's TLS, from the eventbus.tls.* settings: the gRPC server's credentials (TLS only, or
 * plaintext when TLS is off) and the HTTP server's SSL parameters (none: plain HTTP). Everything
 * is read and checked when made, so a node with unusable TLS files does not start.
 */
public final class ServerTls {

    public static final String ENABLED = "eventbus.tls.enabled";
    public static final String CERT_FILE = "eventbus.tls.cert-file";
    public static final String KEY_FILE = "eventbus.tls.key-file";
    public static final String CLIENT_CA_FILE = "eventbus.tls.client-ca-file";
    public static final String CLIENT_AUTH = "eventbus.tls.client-auth";
    public static final String HTTP_ENABLED = "eventbus.tls.http-enabled";

    private final ServerCredentials grpc;
    private final SSLContextParameters http;
    private final String description;

    private ServerTls(ServerCredentials grpc, SSLContextParameters http, String description) {
        this.grpc = grpc;
        this.http = http;
        this.description = description;
    }

    /** Plaintext gRPC and HTTP. */
    public static ServerTls off() {
        return new ServerTls(InsecureServerCredentials.create(), null, "off");
    }

    /**
     * The TLS of these settings (file names as given; blank when not set). With TLS off nothing
     * else is looked at.
     *
     * @throws TlsFiles.Unusable a setting or file that cannot be used, named in the message
     */
    public static ServerTls of(boolean enabled, String certFile, String keyFile, String clientCaFile,
                               String clientAuth, boolean httpEnabled) {
        if (!enabled) {
            return off();
        }
        TlsServerCredentials.ClientAuth auth = clientAuth(clientAuth);
        boolean trustsClients = clientCaFile != null && !clientCaFile.isBlank();
        if (auth != TlsServerCredentials.ClientAuth.NONE && !trustsClients) {
            throw new TlsFiles.Unusable(CLIENT_AUTH + "=" + clientAuth.trim() + " needs " + CLIENT_CA_FILE
                    + ": the CA certificate(s) that clients' certificates must be signed by");
        }
        if (auth == TlsServerCredentials.ClientAuth.NONE && trustsClients) {
            throw new TlsFiles.Unusable(CLIENT_CA_FILE + " is set but " + CLIENT_AUTH
                    + " is none: set it to optional or require to ask clients for a certificate");
        }
        char[] password = TlsFiles.password();
        KeyStore keys = TlsFiles.keyStore(CERT_FILE, path(certFile), KEY_FILE, path(keyFile), password);
        KeyManagerFactory keyManagers = TlsFiles.keyManagers(keys, password);
        TlsServerCredentials.Builder credentials = TlsServerCredentials.newBuilder()
                .keyManager(keyManagers.getKeyManagers())
                .clientAuth(auth);
        if (trustsClients) {
            credentials.trustManager(TlsFiles.trustManagers(CLIENT_CA_FILE, path(clientCaFile)).getTrustManagers());
        }
        SSLContextParameters http = null;
        if (httpEnabled) {
            KeyStoreParameters store = new KeyStoreParameters();
            store.setKeyStore(keys);
            KeyManagersParameters managers = new KeyManagersParameters();
            managers.setKeyStore(store);
            managers.setKeyPassword(new String(password));
            http = new SSLContextParameters();
            http.setKeyManagers(managers);
        }
        String clients = switch (auth) {
            case REQUIRE -> ", client certificates required (signed by " + clientCaFile.trim() + ")";
            case OPTIONAL -> ", client certificates optional (signed by " + clientCaFile.trim() + ")";
            default -> "";
        };
        String description = "gRPC" + (httpEnabled ? " and HTTP" : "") + " with " + certFile.trim() + clients;
        return new ServerTls(credentials.build(), http, description);
    }

    /** The gRPC server's credentials: TLS only, or plaintext when TLS is off. */
    public ServerCredentials grpcCredentials() {
        return grpc;
    }

    /** The HTTP server's SSL parameters; null for plain HTTP. */
    public SSLContextParameters httpSslContextParameters() {
        return http;
    }

    /** What is on, for the log: {@code off}, {@code gRPC and HTTP with /etc/bus/cert.pem}. */
    @Override
    public String toString() {
        return description;
    }

    private static TlsServerCredentials.ClientAuth clientAuth(String value) {
        String mode = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "", "none" -> TlsServerCredentials.ClientAuth.NONE;
            case "optional" -> TlsServerCredentials.ClientAuth.OPTIONAL;
            case "require", "required" -> TlsServerCredentials.ClientAuth.REQUIRE;
            default -> throw new TlsFiles.Unusable(CLIENT_AUTH + "=" + value + ": not one of none, optional, require");
        };
    }

    private static Path path(String file) {
        return file == null || file.isBlank() ? null : Path.of(file.trim());
    }
}
