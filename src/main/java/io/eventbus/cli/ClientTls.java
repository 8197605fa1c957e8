package io.eventbus.cli;

import io.eventbus.security.TlsFiles;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The clients' TLS options: {@code --tls} (trust the system's CAs), {@code --ca-file} (trust
 * this CA instead; implies --tls), {@code --cert-file}/{@code --key-file} (this client's
 * certificate, for a bus that asks for one).
 */
public final class ClientTls {

    @Option(names = "--tls", description = "Connect over TLS, trusting the system's CAs (see --ca-file).")
    boolean tls;

    @Option(names = "--ca-file", paramLabel = "FILE",
            description = "Connect over TLS, trusting the CA certificate(s) of this PEM file.")
    Path caFile;

    @Option(names = "--cert-file", paramLabel = "FILE",
            description = "This client's PEM certificate (chain), for mutual TLS; with --key-file.")
    Path certFile;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "The private key of --cert-file, PEM, unencrypted.")
    Path keyFile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Whether the connection is TLS. */
    boolean enabled() {
        return tls || caFile != null || certFile != null || keyFile != null;
    }

    /** TLS with the given trust and client certificate, or plaintext. */
    ChannelCredentials channelCredentials() {
        if (!enabled()) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
        TrustManager[] trust = trustManagers();
        if (trust != null) {
            credentials.trustManager(trust);
        }
        KeyManager[] keys = keyManagers();
        if (keys != null) {
            credentials.keyManager(keys);
        }
        return credentials.build();
    }

    /** An SSL context for HTTPS with the same trust and client certificate. */
    SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(), trustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context", e);
        }
    }

    private TrustManager[] trustManagers() {
        return caFile == null ? null : TlsFiles.trustManagers("--ca-file", caFile).getTrustManagers();
    }

    private KeyManager[] keyManagers() {
        if ((certFile == null) != (keyFile == null)) {
            throw new ParameterException(spec.commandLine(), "--cert-file and --key-file go together");
        }
        return certFile == null ? null
                : TlsFiles.keyManagers("--cert-file", certFile, "--key-file", keyFile).getKeyManagers();
    }
}
