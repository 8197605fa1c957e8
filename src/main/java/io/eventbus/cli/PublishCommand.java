package io.eventbus.cli;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PublishResponse;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code publish}: one message, or copies of it, to a queue over eventbus.v1; prints each id. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publishes a message to a queue over eventbus.v1 and prints its id (with --count, one id a line).")
public final class PublishCommand implements Callable<Integer> {

    /** Copies per PublishBatch call (eventbus.max-batch allows 1000 by default). */
    static final int BATCH = 100;
    /** PublishBatch calls under way at once. */
    static final int CALLS_AT_ONCE = 4;
    static final long DEADLINE_SECONDS = 60;

    @Mixin
    GrpcTarget target;

    @Option(names = "--queue", required = true, paramLabel = "NAME", description = "The queue to publish to.")
    String queue;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DATA",
            description = "The message's data, as text (UTF-8); or give --file.")
    String text;

    @Option(names = "--file", paramLabel = "FILE",
            description = "Read the data from FILE, bytes as they are ('-': standard input).")
    String file;

    @Option(names = "--delay", paramLabel = "SECONDS", defaultValue = "0",
            description = "Deliver no earlier than SECONDS from now (default: at once).")
    int delaySeconds;

    @Option(names = "--key", paramLabel = "KEY", description = "The ordering key (on a partitioned queue: its partition).")
    String key;

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "A header of the message; repeat for more.")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--count", paramLabel = "N", defaultValue = "1",
            description = "Publish N copies, " + BATCH + " a PublishBatch call, with a progress bar on standard error "
                    + "(default: 1).")
    int count;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((text == null) == (file == null)) {
            throw new ParameterException(spec.commandLine(), "Give the data either as DATA or with --file, not "
                    + (text == null ? "neither" : "both"));
        }
        if (count < 1) {
            throw new ParameterException(spec.commandLine(), "--count must be 1 or more, was " + count);
        }
        if (delaySeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--delay must be 0 or more seconds, was " + delaySeconds);
        }
        PublishRequest.Builder message = PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFrom(data()))
                .setDelaySeconds(delaySeconds).putAllHeaders(headers);
        if (key != null) {
            message.setKey(key);
        }
        PrintWriter out = spec.commandLine().getOut();
        ManagedChannel channel = target.open();
        try {
            if (count == 1) {
                PublishResponse published = EventBusGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).publish(message.build());
                out.println(published.getId());
            } else {
                publishCopies(channel, message.build(), out);
            }
        } finally {
            out.flush();
            GrpcTarget.close(channel);
        }
        return 0;
    }

    private byte[] data() {
        if (text != null) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new ParameterException(spec.commandLine(), "--file " + file + ": no such file");
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--file " + file + ": " + Failures.message(e));
        }
    }

    /**
     * {@code count} copies in PublishBatch calls of {@link #BATCH}, {@link #CALLS_AT_ONCE} under way
     * at a time; ids in order. When a call fails, the ids of the calls that did not are still
     * printed, then the failure is reported.
     */
    private void publishCopies(ManagedChannel channel, PublishRequest message, PrintWriter out) throws Exception {
        EventBusGrpc.EventBusFutureStub stub = EventBusGrpc.newFutureStub(channel);
        Deque<ListenableFuture<io.eventbus.grpc.v1.PublishBatchResponse>> calls = new ArrayDeque<>();
        ExecutionException failed = null;
        long sent = 0;
        try (ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), "publish", count,
                ProgressBar.onTerminal())) {
            while (sent < count && failed == null || !calls.isEmpty()) {
                while (sent < count && failed == null && calls.size() < CALLS_AT_ONCE) {
                    int copies = (int) Math.min(BATCH, count - sent);
                    PublishBatchRequest.Builder batch = PublishBatchRequest.newBuilder();
                    for (int i = 0; i < copies; i++) {
                        batch.addMessages(message);
                    }
                    calls.add(stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).publishBatch(batch.build()));
                    sent += copies;
                }
                try {
                    StringBuilder ids = new StringBuilder();
                    for (PublishResponse published : calls.remove().get().getResultsList()) {
                        ids.append(published.getId()).append(System.lineSeparator());
                        progress.step(1);
                    }
                    out.print(ids);
                    out.flush();
                } catch (ExecutionException e) {
                    failed = failed == null ? e : failed;
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
