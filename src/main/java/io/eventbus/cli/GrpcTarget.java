package io.eventbus.cli;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code --target} option of the gRPC clients with their TLS and token options, and their channel to it. */
public final class GrpcTarget {

    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9091",
            description = "The bus's gRPC address (default: ${DEFAULT-VALUE}).")
    String target;

    @Mixin
    ClientTls tls;

    @Mixin
    ClientToken token;

    /** A channel to the target, plaintext or TLS as the options say; close it with {@link #close(ManagedChannel)}. */
    ManagedChannel open() {
        io.grpc.ManagedChannelBuilder<?> channel = Grpc.newChannelBuilder(target, tls.channelCredentials());
        if (token.present()) {
            channel.intercept(token.interceptor());
        }
        return channel.build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
