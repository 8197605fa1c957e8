package io.eventbus.cli;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** The {@code --target} option of the gRPC clients, and their channel to it. */
public final class GrpcTarget {

    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9091",
            description = "The bus's gRPC address (default: ${DEFAULT-VALUE}).")
    String target;

    /** A plaintext channel to the target; close it with {@link #close(ManagedChannel)}. */
    ManagedChannel open() {
        return ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
