package io.eventbus.cli;

import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.PullRequest;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code subscribe}: takes the messages of a queue with eventbus.v1 Pull, prints each on one line
 * and acks them once printed. A Pull asks for no more than {@code --max} still wants, so nothing is
 * taken that will not be printed.
 */
@Command(name = "subscribe", mixinStandardHelpOptions = true,
        description = "Takes messages of a queue over eventbus.v1 (Pull), prints one a line "
                + "(id, attempt, key, headers, data) and acks each once printed.")
public final class SubscribeCommand implements Callable<Integer> {

    /** Most messages one Pull asks for. */
    static final int PULL_MAX = 100;
    /** Longest wait of one Pull, in seconds (eventbus.max-wait-seconds allows 300 by default). */
    static final int PULL_WAIT_SECONDS = 30;

    @Mixin
    GrpcTarget target;

    @Option(names = "--queue", required = true, paramLabel = "NAME", description = "The queue to take messages from.")
    String queue;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N messages (default: go on until interrupted).")
    Long max;

    @Option(names = "--wait", paramLabel = "SECONDS",
            description = "Stop once no message came for SECONDS (default: wait until interrupted).")
    Integer waitSeconds;

    @Option(names = "--no-ack",
            description = "Print without acking: the messages are delivered again after their ack deadline.")
    boolean noAck;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (max != null && max < 1) {
            throw new ParameterException(spec.commandLine(), "--max must be 1 or more, was " + max);
        }
        if (waitSeconds != null && waitSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--wait must be 0 or more seconds, was " + waitSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        ManagedChannel channel = target.open();
        try {
            EventBusGrpc.EventBusBlockingStub stub = EventBusGrpc.newBlockingStub(channel);
            long taken = 0;
            long idleUntil = waitSeconds == null ? 0 : System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
            while (max == null || taken < max) {
                int wait = PULL_WAIT_SECONDS;
                if (waitSeconds != null) {
                    long left = idleUntil - System.nanoTime();
                    wait = (int) Math.min(PULL_WAIT_SECONDS, Math.max(0, (left + 999_999_999L) / 1_000_000_000L));
                }
                int want = (int) (max == null ? PULL_MAX : Math.min(PULL_MAX, max - taken));
                List<Message> messages = stub.withDeadlineAfter(wait + 30L, TimeUnit.SECONDS).pull(PullRequest.newBuilder()
                        .setQueue(queue).setMaxMessages(want).setWaitSeconds(wait).build()).getMessagesList();
                if (messages.isEmpty()) {
                    if (waitSeconds != null && System.nanoTime() - idleUntil >= 0) {
                        break;
                    }
                    continue;
                }
                StringBuilder lines = new StringBuilder();
                messages.forEach(message -> lines.append(line(message)).append(System.lineSeparator()));
                out.print(lines);
                out.flush();
                if (!noAck) {
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS).ack(AckRequest.newBuilder()
                            .addAllIds(messages.stream().map(Message::getId).toList()).build());
                }
                taken += messages.size();
                if (waitSeconds != null) {
                    idleUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
                }
            }
            if (max != null && taken < max) {
                spec.commandLine().getErr().printf("subscribe: %d of %d messages, then none for %d s%n", taken, max,
                        waitSeconds);
            }
        } finally {
            out.flush();
            GrpcTarget.close(channel);
        }
        return 0;
    }

    /**
     * One message on one line: {@code id=… attempt=1 key=… headers={a=b} data=hello}, key and headers
     * when it has them; data as text when it is UTF-8 without line breaks or other control
     * characters (a tab is fine), else {@code base64=…}.
     */
    static String line(Message message) {
        StringBuilder line = new StringBuilder("id=").append(message.getId()).append(" attempt=").append(message.getAttempt());
        if (!message.getKey().isEmpty()) {
            line.append(" key=").append(message.getKey());
        }
        if (message.getHeadersCount() > 0) {
            Map<String, String> headers = new TreeMap<>(message.getHeadersMap());
            line.append(" headers=").append(headers);
        }
        String text = printable(message.getData().toByteArray());
        if (text != null) {
            line.append(" data=").append(text);
        } else {
            line.append(" base64=").append(Base64.getEncoder().encodeToString(message.getData().toByteArray()));
        }
        return line.toString();
    }

    /** The bytes as text when they are UTF-8 with no control character but tab; otherwise null. */
    static String printable(byte[] data) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        boolean plain = text.codePoints().allMatch(c -> c == '\t' || !Character.isISOControl(c));
        return plain ? text : null;
    }
}
