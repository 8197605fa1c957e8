package io.eventbus.cli;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.RateLimiter;
import com.google.protobuf.ByteString;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench}, the bus's side of the benchmark (bench/perf.sh, bench/quick.sh): drives a running bus over gRPC through
 * the phases named by {@code --phases}, prints progress every second, and writes one table of
 * msg/s and latency percentiles (with the ratio to RabbitMQ's PerfTest figures passed in), the
 * same as CSV, a per-second series and a PNG chart of throughput and latency over time.
 *
 * <p>Phases: {@code mq-publish} (compatible API, a message per call), {@code mq-consume}
 * (subscribe + ack, a message per call), {@code publish} (Publish, a message per call),
 * {@code publish-half} (Publish paced at half the rate {@code publish} reached: its latency),
 * {@code publish-batch} (PublishBatch of 100), {@code pull} (Pull of up to 100 + one Ack),
 * {@code subscribe} (Subscribe streams, acks of up to 100 ids), {@code delayed} (messages that
 * fall due at {@code --due-rate} per second, received on Subscribe streams: lateness). The
 * consuming phases are end to end: PublishBatch publishers feed the queue while it is consumed
 * (at most {@code --ahead} messages ahead), as PerfTest's publish + consume runs both at once.
 * Latency is per call (for Subscribe: per Ack call; for delayed: delivery minus due time).
 * Before measuring, the selected phases run unmeasured ({@code --warmup}, {@code --warmup-seconds}).
 * With {@code --cpu}, each phase also reports the CPU time per message of the processes named
 * there and of the client itself (cpu.md, cpu.csv).
 * Afterwards the run's queues are deleted on RabbitMQ ({@code --amqp-url}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmarks a running bus over gRPC: phases of publishing and consuming, progress every "
                + "second, then a table of msg/s and latency percentiles (results.md, results.csv), a per-second "
                + "series (series.csv) and chart.png in --out.")
public final class Bench implements Callable<Integer> {

    private static final String HEADER_DELAY = "bench-delay-seconds";

    /** Every phase, in the order they run by default. */
    static final List<String> PHASES = List.of("mq-publish", "mq-consume", "publish", "publish-half", "publish-batch",
            "pull", "subscribe", "delayed");

    /** The phase names for --help. */
    static final class PhaseNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return PHASES.iterator();
        }
    }

    @Mixin
    GrpcTarget target;

    @Option(names = "--messages", paramLabel = "N", defaultValue = "50000",
            description = "Messages per phase (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "32",
            description = "Clients at once: concurrent calls or streams (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "200",
            description = "Payload bytes of each message (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--phases", paramLabel = "PHASE", split = ",", completionCandidates = PhaseNames.class,
            defaultValue = "mq-publish,mq-consume,publish,publish-half,publish-batch,pull,subscribe,delayed",
            description = "Phases to run, in the order given, comma-separated: ${COMPLETION-CANDIDATES} "
                    + "(default: all).")
    List<String> phases;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench",
            description = "Where results.md, results.csv, series.csv and chart.png go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5000",
            description = "Messages of each phase's warm-up round: before measuring, the selected phases run "
                    + "unmeasured in rounds of N messages until --warmup-seconds have passed, so that the bus's JIT "
                    + "compiler is done with their code; 0: no warm-up (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--warmup-seconds", paramLabel = "SECONDS", defaultValue = "180",
            description = "Least time the warm-up rounds take; at least one round runs. On two busy cores the bus's "
                    + "JIT compiler is still at work after a minute (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--run", paramLabel = "NAME",
            description = "Names this run's queues bench.NAME.PHASE (default: from the clock).")
    String run;

    @Option(names = "--perftest-publish", paramLabel = "MSG_PER_S", defaultValue = "0",
            description = "PerfTest's confirmed publish rate, for the ratio column; 0: none (default: ${DEFAULT-VALUE}).")
    double perftestPublish;

    @Option(names = "--perftest-consume", paramLabel = "MSG_PER_S", defaultValue = "0",
            description = "PerfTest's publish + consume rate, for the ratio column; 0: none (default: ${DEFAULT-VALUE}).")
    double perftestConsume;

    @Option(names = "--delayed", paramLabel = "N",
            description = "Messages of the delayed phase (default: --messages).")
    Integer delayedCount;

    @Option(names = "--due-rate", paramLabel = "PER_S", defaultValue = "1000",
            description = "Delayed messages falling due per second (default: ${DEFAULT-VALUE}).")
    int dueRate;

    @Option(names = "--lead-seconds", paramLabel = "SECONDS",
            description = "From the start of the delayed phase to its first due time (default: 10 + delayed / 3000, "
                    + "so that all are stored before they fall due).")
    Integer leadSeconds;

    @Option(names = "--half-rate", paramLabel = "MSG_PER_S",
            description = "Rate of the paced Publish phase (default: half the rate the publish phase reached, "
                    + "500 without it).")
    Double halfRate;

    @Option(names = "--ahead", paramLabel = "N", defaultValue = "20000",
            description = "In the consuming phases, most messages the publishers may be ahead of the consumers "
                    + "(default: ${DEFAULT-VALUE}).")
    long ahead;

    @Option(names = "--ack-linger-ms", paramLabel = "MS", defaultValue = "0",
            description = "On Subscribe streams, how long the ids received after a first unacked one are gathered "
                    + "for its Ack call (at most 100 ids a call); 0: an Ack call as soon as one id is there, with "
                    + "what arrived by then (default: ${DEFAULT-VALUE}).")
    long ackLingerMillis;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "4",
            description = "gRPC connections the clients share, at most --clients (default: ${DEFAULT-VALUE}).")
    int connectionCount;

    @Option(names = "--cpu", paramLabel = "NAME=PID", split = ",",
            description = "Processes whose CPU time (user + system, from /proc on Linux) each measured phase reports "
                    + "per 1000 messages, beside the bench client's own, e.g. bus=1234,rabbitmq=567: written to cpu.md "
                    + "and cpu.csv.")
    LinkedHashMap<String, Long> cpuPids;

    @Option(names = "--perftest-publish-cpu", paramLabel = "NAME=MS", split = ",",
            description = "CPU ms per 1000 messages of PerfTest's publish run, by process (e.g. rabbitmq=60,client=40), "
                    + "for the first row of cpu.md.")
    LinkedHashMap<String, Long> perftestPublishCpu;

    @Option(names = "--perftest-consume-cpu", paramLabel = "NAME=MS", split = ",",
            description = "As --perftest-publish-cpu, for PerfTest's publish + consume run.")
    LinkedHashMap<String, Long> perftestConsumeCpu;

    @Option(names = "--amqp-url", paramLabel = "URL", defaultValue = "amqp://guest:guest@127.0.0.1:5672/",
            description = "RabbitMQ, where this run's queues are deleted afterwards; an empty path or / is the "
                    + "default virtual host (default: ${DEFAULT-VALUE}).")
    String amqpUrl;

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    private PrintWriter err;
    private ByteString payload;
    private final long benchStart = System.nanoTime();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final List<Result> results = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    private final Set<String> queues = new LinkedHashSet<>();

    /** One finished call: its phase, when it ended (ms since the bench started), its latency, its messages. */
    record Sample(String phase, long endMillis, long latencyMicros, int messages) {
    }

    record Result(String phase, String label, long messages, double seconds, long[] latencies, String base, double baseRate,
                  String target, Map<String, Long> cpuMillis) {
        double rate() {
            return messages / seconds;
        }

        double pct(double p) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            return latencies[(int) Math.min(latencies.length - 1, Math.floor(p * latencies.length))] / 1000.0;
        }
    }

    /** One phase in progress: counts messages, keeps its samples. */
    private final class Phase {
        final String name;
        final String label;
        final long total;
        final AtomicLong done = new AtomicLong();
        final ConcurrentLinkedQueue<Sample> taken = new ConcurrentLinkedQueue<>();
        final long start = System.nanoTime();
        final Map<String, Long> cpuAtStart = cpuMillis();
        /** Whether a Subscribe stream's Ack calls count its messages (not where lateness does). */
        volatile boolean countsAcks = true;

        Phase(String name, String label, long total) {
            this.name = name;
            this.label = label;
            this.total = total;
        }

        void record(long startNanos, int count) {
            long now = System.nanoTime();
            latency(now, (now - startNanos) / 1000, count);
        }

        void latency(long atNanos, long micros, int count) {
            taken.add(new Sample(name, (atNanos - benchStart) / 1_000_000, micros, count));
            done.addAndGet(count);
        }

        boolean finished() {
            return done.get() >= total;
        }

        Result result(String base, double baseRate, String target) {
            double seconds = (System.nanoTime() - start) / 1e9;
            List<Sample> mine = new ArrayList<>(taken);
            samples.addAll(mine);
            long[] latencies = mine.stream().mapToLong(Sample::latencyMicros).sorted().toArray();
            Map<String, Long> cpu = new LinkedHashMap<>();
            cpuMillis().forEach((process, millis) -> {
                Long before = cpuAtStart.get(process);
                if (before != null) {
                    cpu.put(process, millis - before);
                }
            });
            Result result = new Result(name, label, Math.min(done.get(), total), seconds, latencies, base, baseRate, target,
                    cpu);
            results.add(result);
            err.printf(Locale.ROOT, "%s: %d messages in %.1f s, %.0f msg/s, p50 %.2f ms, p99 %.2f ms%n", label,
                    result.messages(), seconds, result.rate(), result.pct(0.5), result.pct(0.99));
            return result;
        }
    }

    /** CPU ms so far of each --cpu process and of this one ("client"); a process that cannot be read is left out. */
    private Map<String, Long> cpuMillis() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        if (cpuPids != null) {
            cpuPids.forEach((process, pid) -> {
                long millis = cpuMillis(pid);
                if (millis >= 0) {
                    cpu.put(process, millis);
                }
            });
        }
        long own = cpuMillis(ProcessHandle.current().pid());
        if (own >= 0) {
            cpu.put("client", own);
        }
        return cpu;
    }

    /**
     * User + system CPU ms of a process so far, from /proc/PID/stat (fields 14 and 15, in clock ticks
     * of 10 ms: Linux's USER_HZ of 100); -1 where there is no such file (another OS, a process gone).
     */
    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command (field 2) is in parentheses and may hold spaces: count from after it (field 3)
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private ManagedChannel channel(int client) {
        return channels.get(client % channels.size());
    }

    private EventBusGrpc.EventBusBlockingStub v1(int client) {
        return EventBusGrpc.newBlockingStub(channel(client)).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private MqGrpc.MqBlockingStub mq(int client) {
        return MqGrpc.newBlockingStub(channel(client)).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private String queue(String phase) {
        String queue = "bench." + run + "." + phase;
        queues.add(queue);
        return queue;
    }

    @Override
    public Integer call() throws Exception {
        for (String phase : phases) {
            if (!PHASES.contains(phase.trim())) {
                throw new ParameterException(spec.commandLine(), "Unknown phase '" + phase.trim() + "' of --phases: "
                        + "expected some of " + String.join(",", PHASES));
            }
        }
        for (String[] positive : new String[][] {{"--messages", "" + messages}, {"--clients", "" + clients},
                {"--due-rate", "" + dueRate}, {"--connections", "" + connectionCount}}) {
            if (Long.parseLong(positive[1]) < 1) {
                throw new ParameterException(spec.commandLine(), positive[0] + " must be 1 or more, was " + positive[1]);
            }
        }
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        if (run == null) {
            run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        }
        payload = ByteString.copyFromUtf8("x".repeat(size));
        for (int i = 0; i < Math.min(clients, connectionCount); i++) {
            channels.add(target.open());
        }
        try {
            runAll();
        } finally {
            close();
        }
        return 0;
    }

    private void runAll() throws Exception {
        Files.createDirectories(outDir);
        ticker.scheduleAtFixedRate(this::progress, 1, 1, TimeUnit.SECONDS);
        if (warmup > 0) {
            warmUp();
        }
        for (String phase : phases) {
            String name = phase.trim();
            int count = name.equals("delayed") && delayedCount != null ? delayedCount : messages;
            Phase done = run(name, name, count, leadSeconds == null ? 10 + count / 3000 : leadSeconds);
            switch (name) {
                case "mq-publish" -> done.result("PerfTest publish", perftestPublish, "");
                case "mq-consume" -> done.result("PerfTest publish + consume", perftestConsume, "");
                case "publish" -> done.result("PerfTest publish", perftestPublish, ">= 0.6");
                case "publish-half" -> done.result("", 0, "p99 <= 10 ms");
                case "publish-batch" -> done.result("PerfTest publish", perftestPublish, ">= 0.9");
                case "pull", "subscribe" -> done.result("PerfTest publish + consume", perftestConsume, ">= 0.5");
                default -> done.result("", 0, "p99 <= 1000 ms"); // delayed
            }
        }
        current = null;
        write(outDir);
    }

    private volatile Phase current;
    private long lastDone;

    private void progress() {
        Phase phase = current;
        if (phase == null) {
            return;
        }
        long done = phase.done.get();
        long rate = Math.max(0, done - lastDone);
        lastDone = done;
        err.printf(Locale.ROOT, "[%4ds] %-28s %s %d/%d, %d msg/s%n", (System.nanoTime() - benchStart) / 1_000_000_000L,
                phase.label, ProgressBar.bar(done, phase.total), Math.min(done, phase.total), phase.total, rate);
    }

    private Phase start(String name, String label, long total) {
        Phase phase = new Phase(name, name.startsWith("warmup-") ? "warm-up: " + label : label, total);
        lastDone = 0;
        current = phase;
        return phase;
    }

    /** Runs {@code clients} workers until the phase is done; a worker returns when there is no more work. */
    private void workers(int count, java.util.function.IntConsumer worker) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            int client = c;
            running.add(pool.submit(() -> worker.accept(client)));
        }
        for (Future<?> future : running) {
            future.get();
        }
    }

    /** {@code clients} workers make one call per message until {@code count} are done; pace runs before each (untimed). */
    private void eachMessage(Phase phase, long count, Runnable pace, java.util.function.IntConsumer call) throws Exception {
        AtomicLong next = new AtomicLong();
        workers(clients, client -> {
            while (next.getAndIncrement() < count) {
                pace.run();
                long t0 = System.nanoTime();
                call.accept(client);
                phase.record(t0, 1);
            }
        });
    }

    /**
     * Runs the selected phases unmeasured, --warmup messages each, round after round until
     * --warmup-seconds have passed: a cold JVM spends its first minutes compiling, and the bus is
     * compared with a broker that needs no warm-up. (Publish at half rate has publish's code.)
     */
    private void warmUp() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        int round = 0;
        do {
            round++;
            for (String phase : phases) {
                if (!phase.trim().equals("publish-half")) { // publish's code
                    run(phase.trim(), "warmup-" + phase.trim(), warmup, 1);
                }
            }
        } while (System.nanoTime() < until);
        err.printf(Locale.ROOT, "warm-up: %d round(s) of %d messages a phase in %.0f s, not measured%n", round, warmup,
                (System.nanoTime() - benchStart) / 1e9);
    }

    /**
     * One phase ({@link #PHASES}) on queue bench.RUN.{@code name}: {@code count} messages
     * (publish-half: its own count and rate); delayed ones first due {@code lead} seconds from now.
     */
    private Phase run(String phase, String name, int count, int lead) throws Exception {
        return switch (phase) {
            case "mq-publish" -> mqPublish(name, count);
            case "mq-consume" -> consume(name, "compatible subscribe + ack", count, this::mqConsumer);
            case "publish" -> publish(name, count);
            case "publish-half" -> publishHalf();
            case "publish-batch" -> publishBatch(name, count);
            case "pull" -> consume(name, "Pull(100) + Ack", count, this::puller);
            case "subscribe" -> consume(name, "Subscribe stream + Ack", count, this::streamer);
            case "delayed" -> delayed(name, count, lead);
            default -> throw new IllegalStateException("unknown phase " + phase); // checked in call()
        };
    }

    private Phase mqPublish(String name, long count) throws Exception {
        String queue = queue(name);
        Phase phase = start(name, "compatible publish", count);
        eachMessage(phase, count, () -> { }, client -> mq(client).publish(io.eventbus.grpc.mq.PublishRequest.newBuilder()
                .setQueue(queue).setData(payload.toStringUtf8()).build()));
        return phase;
    }

    private double publishRate;

    private Phase publish(String name, long count) throws Exception {
        String queue = queue(name);
        Phase phase = start(name, "Publish", count);
        eachMessage(phase, count, () -> { }, client ->
                v1(client).publish(PublishRequest.newBuilder().setQueue(queue).setData(payload).build()));
        publishRate = phase.done.get() / ((System.nanoTime() - phase.start) / 1e9);
        return phase;
    }

    /** Publish paced at half the rate the publish phase reached (or --half-rate), for its latency. */
    private Phase publishHalf() throws Exception {
        double rate = halfRate == null ? 0 : halfRate;
        if (rate <= 0) {
            rate = publishRate > 0 ? publishRate / 2 : 500;
        }
        int count = (int) Math.min(messages, rate * 20);
        String queue = queue("publish-half");
        Phase phase = start("publish-half", String.format(Locale.ROOT, "Publish at %.0f msg/s", rate), count);
        RateLimiter limiter = RateLimiter.create(rate);
        eachMessage(phase, count, limiter::acquire, client ->
                v1(client).publish(PublishRequest.newBuilder().setQueue(queue).setData(payload).build()));
        return phase;
    }

    private PublishBatchRequest batch(String queue, int count, int delaySeconds) {
        PublishBatchRequest.Builder batch = PublishBatchRequest.newBuilder();
        for (int i = 0; i < count; i++) {
            PublishRequest.Builder message = PublishRequest.newBuilder().setQueue(queue).setData(payload);
            if (delaySeconds > 0) {
                message.setDelaySeconds(delaySeconds).putHeaders(HEADER_DELAY, Integer.toString(delaySeconds));
            }
            batch.addMessages(message);
        }
        return batch.build();
    }

    private Phase publishBatch(String name, long count) throws Exception {
        String queue = queue(name);
        Phase phase = start(name, "PublishBatch(100)", count);
        AtomicLong next = new AtomicLong();
        workers(clients, client -> {
            long from;
            while ((from = next.getAndAdd(100)) < count) {
                int size = (int) Math.min(100, count - from);
                long t0 = System.nanoTime();
                v1(client).publishBatch(batch(queue, size, 0));
                phase.record(t0, size);
            }
        });
        return phase;
    }

    interface Consumer {
        void consume(int client, String queue, Phase phase, AtomicBoolean fed);
    }

    /**
     * An end-to-end phase: PublishBatch publishers feed the queue (at most --ahead messages ahead of
     * the consumers) while {@code clients} consumers take from it.
     */
    private Phase consume(String name, String label, long total, Consumer consumer) throws Exception {
        String queue = queue(name);
        Phase phase = start(name, label, total);
        AtomicLong published = new AtomicLong();
        AtomicBoolean fed = new AtomicBoolean();
        int publishers = Math.max(1, clients / 16);
        List<Future<?>> feeders = new ArrayList<>();
        AtomicLong next = new AtomicLong();
        for (int p = 0; p < publishers; p++) {
            int client = p;
            feeders.add(pool.submit(() -> {
                long from;
                while ((from = next.getAndAdd(100)) < total) {
                    while (published.get() - phase.done.get() > ahead) {
                        LockSupport.parkNanos(1_000_000);
                    }
                    int count = (int) Math.min(100, total - from);
                    v1(client).publishBatch(batch(queue, count, 0));
                    published.addAndGet(count);
                }
                return null;
            }));
        }
        pool.submit(() -> {
            try {
                for (Future<?> feeder : feeders) {
                    feeder.get();
                }
            } finally {
                fed.set(true); // a failed feeder ends the phase too: consumers stop once idle, its error follows
            }
            return null;
        });
        workers(clients, client -> consumer.consume(client, queue, phase, fed));
        for (Future<?> feeder : feeders) {
            feeder.get();
        }
        return phase;
    }

    /** Consumers stop when the phase is done, or when everything was fed and nothing came for 10 s. */
    private static boolean idleTooLong(AtomicBoolean fed, long lastNanos) {
        return fed.get() && System.nanoTime() - lastNanos > TimeUnit.SECONDS.toNanos(10);
    }

    private void mqConsumer(int client, String queue, Phase phase, AtomicBoolean fed) {
        long last = System.nanoTime();
        while (!phase.finished() && !idleTooLong(fed, last)) {
            long t0 = System.nanoTime();
            SubscribeResponse message;
            try {
                message = MqGrpc.newBlockingStub(channel(client)).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .subscribe(SubscribeRequest.newBuilder().setQueue(queue).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                    continue; // nothing came: the others may have taken the rest
                }
                throw e;
            }
            mq(client).ack(QueueId.newBuilder().setId(message.getId()).build());
            phase.record(t0, 1);
            last = System.nanoTime();
        }
    }

    private void puller(int client, String queue, Phase phase, AtomicBoolean fed) {
        long last = System.nanoTime();
        while (!phase.finished() && !idleTooLong(fed, last)) {
            if (pullAndAck(client, queue, phase) > 0) {
                last = System.nanoTime();
            }
        }
    }

    /** One Pull of up to 100 (waiting up to 1 s) and one Ack of what it got; returns how many. */
    private int pullAndAck(int client, String queue, Phase phase) {
        long t0 = System.nanoTime();
        List<Message> got = v1(client).pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(100)
                .setWaitSeconds(1).build()).getMessagesList();
        if (!got.isEmpty()) {
            v1(client).ack(AckRequest.newBuilder().addAllIds(got.stream().map(Message::getId).toList()).build());
            phase.record(t0, got.size());
        }
        return got.size();
    }

    /** One Subscribe stream; its received ids are acked in batches of up to 100 by this thread. */
    private void streamer(int client, String queue, Phase phase, AtomicBoolean fed) {
        stream(client, queue, phase, fed, (message, receivedNanos) -> {
        });
    }

    interface Received {
        void accept(Message message, long receivedNanos);
    }

    private void stream(int client, String queue, Phase phase, AtomicBoolean fed, Received received) {
        LinkedBlockingQueue<String> ids = new LinkedBlockingQueue<>();
        AtomicBoolean ended = new AtomicBoolean();
        ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
        // (its messages handed to this thread's queue on gRPC's own thread, without a hop through an executor)
        EventBusGrpc.newStub(channel(client)).withExecutor(MoreExecutors.directExecutor()).subscribe(io.eventbus.grpc.v1.SubscribeRequest.newBuilder().setQueue(queue)
                .setMaxInFlight(100).build(), new ClientResponseObserver<io.eventbus.grpc.v1.SubscribeRequest, Message>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<io.eventbus.grpc.v1.SubscribeRequest> stream) {
                        call[0] = stream;
                    }

                    @Override
                    public void onNext(Message message) {
                        received.accept(message, System.nanoTime());
                        ids.add(message.getId());
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.set(true);
                    }

                    @Override
                    public void onCompleted() {
                        ended.set(true);
                    }
                });
        long last = System.nanoTime();
        try {
            while (!phase.finished() && !ended.get() && !idleTooLong(fed, last)) {
                String first = ids.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<String> batch = new ArrayList<>(List.of(first));
                // what arrives within the linger goes in the same call (one wake-up, not one per message)
                TimeUnit.MILLISECONDS.sleep(ackLingerMillis);
                ids.drainTo(batch, 99);
                long t0 = System.nanoTime();
                v1(client).ack(AckRequest.newBuilder().addAllIds(batch).build());
                if (phase.countsAcks) {
                    phase.record(t0, batch.size());
                }
                last = System.nanoTime();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            call[0].cancel("bench phase done", null);
        }
    }

    /**
     * Delayed delivery: --delayed messages (default --messages) published with PublishBatch, due
     * --due-rate per second from a start far enough ahead that they are all stored first; received
     * on Subscribe streams; latency = delivery minus due time (the bus's acceptance time plus the delay).
     */
    private Phase delayed(String name, int count, int lead) throws Exception {
        String queue = queue(name);
        Phase phase = start(name, String.format(Locale.ROOT, "delayed, %d falling due at %d/s", count, dueRate), count);
        phase.countsAcks = false; // counted as they arrive, by lateness
        AtomicBoolean fed = new AtomicBoolean();
        AtomicLong next = new AtomicLong();
        long publishStart = System.nanoTime();
        List<Future<?>> feeders = new ArrayList<>();
        for (int p = 0; p < Math.max(2, clients / 8); p++) {
            int client = p;
            feeders.add(pool.submit(() -> {
                long from;
                while ((from = next.getAndAdd(100)) < count) {
                    // message i is due lead + i / dueRate seconds after the start of publishing
                    long elapsed = (System.nanoTime() - publishStart) / 1_000_000_000L;
                    int delay = (int) Math.max(1, lead + from / dueRate - elapsed);
                    v1(client).publishBatch(batch(queue, (int) Math.min(100, count - from), delay));
                }
                return null;
            }));
        }
        pool.submit(() -> {
            for (Future<?> feeder : feeders) {
                feeder.get();
            }
            err.printf(Locale.ROOT, "delayed: %d stored in %.1f s%n", count, (System.nanoTime() - publishStart) / 1e9);
            // the consumers' idle time counts from when the last message is due, not from its publish
            long lastDue = publishStart + TimeUnit.SECONDS.toNanos(lead + count / dueRate);
            while (System.nanoTime() < lastDue) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            fed.set(true);
            return null;
        });
        workers(Math.max(2, clients / 4), client -> stream(client, queue, phase, fed, (message, receivedNanos) -> {
            long delay = Long.parseLong(message.getHeadersOrDefault(HEADER_DELAY, "0"));
            long dueMicros = message.getPublishedAtMicros() + delay * 1_000_000L;
            long nowMicros = System.currentTimeMillis() * 1000L;
            if (message.getAttempt() == 1) {
                phase.latency(receivedNanos, Math.max(0, nowMicros - dueMicros), 1);
            }
        }));
        return phase;
    }

    private void write(Path dir) throws IOException {
        StringBuilder md = new StringBuilder();
        StringBuilder csv = new StringBuilder("phase,msg_per_s,p50_ms,p95_ms,p99_ms,messages,seconds,compared_with,base_msg_per_s,ratio,target\n");
        md.append(String.format(Locale.ROOT, "| %s messages of %d bytes, %d clients | msg/s | p50 ms | p95 ms | p99 ms | compared with | its msg/s | bus / it | target |%n",
                messages, payload.size(), clients));
        md.append("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |\n");
        if (perftestPublish > 0) {
            md.append(String.format(Locale.ROOT, "| PerfTest: confirmed persistent publish | %.0f | | | | | | | |%n", perftestPublish));
            md.append(String.format(Locale.ROOT, "| PerfTest: publish + consume, manual ack, qos 100 | %.0f | | | | | | | |%n", perftestConsume));
        }
        for (Result r : results) {
            String ratio = r.baseRate() > 0 ? String.format(Locale.ROOT, "%.2f", r.rate() / r.baseRate()) : "";
            String base = r.baseRate() > 0 ? String.format(Locale.ROOT, "%.0f", r.baseRate()) : "";
            String rate = r.phase().equals("delayed") ? String.format(Locale.ROOT, "%.0f delivered", r.rate())
                    : String.format(Locale.ROOT, "%.0f", r.rate());
            md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %s | %s | %s | %s |%n", r.label(), rate,
                    r.pct(0.5), r.pct(0.95), r.pct(0.99), r.baseRate() > 0 ? r.base() : "", base, ratio, r.target()));
            csv.append(String.format(Locale.ROOT, "%s,%.0f,%.2f,%.2f,%.2f,%d,%.1f,%s,%s,%s,%s%n", r.label(), r.rate(), r.pct(0.5),
                    r.pct(0.95), r.pct(0.99), r.messages(), r.seconds(), r.baseRate() > 0 ? r.base() : "", base, ratio, r.target()));
        }
        Files.writeString(dir.resolve("results.md"), md);
        Files.writeString(dir.resolve("results.csv"), csv);
        out.print(md);
        writeCpu(dir);
        out.flush();
        writeSeries(dir);
    }

    /**
     * CPU ms per 1000 messages of each measured process in each phase (PerfTest's rows as passed in), their sum, and
     * the cores that sum keeps busy at the phase's rate: where a phase's time goes, and how near the machine's cores
     * it ran. Written as cpu.md and cpu.csv when --cpu names a process.
     */
    private void writeCpu(Path dir) throws IOException {
        if (cpuPids == null || cpuPids.isEmpty()) {
            return;
        }
        List<String> processes = new ArrayList<>(cpuPids.keySet());
        processes.add("client");
        for (Map<String, Long> given : Arrays.asList(perftestPublishCpu, perftestConsumeCpu)) {
            if (given != null) {
                given.keySet().stream().filter(p -> !processes.contains(p)).forEach(processes::add);
            }
        }
        StringBuilder md = new StringBuilder("| CPU ms per 1000 messages | msg/s | ")
                .append(String.join(" | ", processes)).append(" | all | cores busy |\n| --- | ---: |")
                .append(" ---: |".repeat(processes.size() + 2)).append('\n');
        StringBuilder csv = new StringBuilder("phase,msg_per_s,").append(String.join(",", processes))
                .append(",all,cores_busy\n");
        if (perftestPublishCpu != null && perftestPublish > 0) {
            cpuRow(md, csv, "PerfTest: confirmed persistent publish", perftestPublish, processes, perftestPublishCpu);
        }
        if (perftestConsumeCpu != null && perftestConsume > 0) {
            cpuRow(md, csv, "PerfTest: publish + consume", perftestConsume, processes, perftestConsumeCpu);
        }
        for (Result r : results) {
            Map<String, Long> perThousand = new LinkedHashMap<>();
            if (r.messages() > 0) {
                r.cpuMillis().forEach((process, millis) -> perThousand.put(process, millis * 1000 / r.messages()));
            }
            cpuRow(md, csv, r.label(), r.rate(), processes, perThousand);
        }
        Files.writeString(dir.resolve("cpu.md"), md);
        Files.writeString(dir.resolve("cpu.csv"), csv);
        out.print(md);
    }

    static void cpuRow(StringBuilder md, StringBuilder csv, String label, double rate, List<String> processes,
                       Map<String, Long> perThousand) {
        md.append(String.format(Locale.ROOT, "| %s | %.0f |", label, rate));
        csv.append(String.format(Locale.ROOT, "%s,%.0f,", label, rate));
        long all = 0;
        for (String process : processes) {
            Long ms = perThousand.get(process);
            md.append(' ').append(ms == null ? "" : ms.toString()).append(" |");
            csv.append(ms == null ? "" : ms.toString()).append(',');
            all += ms == null ? 0 : ms;
        }
        double cores = all * rate / 1_000_000;
        md.append(String.format(Locale.ROOT, " %d | %.2f |%n", all, cores));
        csv.append(String.format(Locale.ROOT, "%d,%.2f%n", all, cores));
    }

    /** Per second and phase: messages, p50 and p99 latency; as CSV and as a PNG chart. */
    private void writeSeries(Path dir) throws IOException {
        Map<String, TreeMap<Long, List<Sample>>> byPhase = new LinkedHashMap<>();
        for (Sample sample : samples) {
            byPhase.computeIfAbsent(sample.phase(), p -> new TreeMap<>())
                    .computeIfAbsent(sample.endMillis() / 1000, s -> new ArrayList<>()).add(sample);
        }
        StringBuilder csv = new StringBuilder("phase,second,messages,p50_ms,p99_ms\n");
        XYChart throughput = new XYChartBuilder().width(1200).height(450).title("Throughput (messages per second)")
                .xAxisTitle("seconds since the bench started").yAxisTitle("msg/s").build();
        XYChart latency = new XYChartBuilder().width(1200).height(450).title("Latency p99 per second (delayed: lateness)")
                .xAxisTitle("seconds since the bench started").yAxisTitle("ms").build();
        latency.getStyler().setYAxisLogarithmic(true);
        for (Map.Entry<String, TreeMap<Long, List<Sample>>> phase : byPhase.entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> rate = new ArrayList<>();
            List<Double> p99 = new ArrayList<>();
            for (Map.Entry<Long, List<Sample>> second : phase.getValue().entrySet()) {
                long[] latencies = second.getValue().stream().mapToLong(Sample::latencyMicros).sorted().toArray();
                int count = second.getValue().stream().mapToInt(Sample::messages).sum();
                double p50ms = latencies[latencies.length / 2] / 1000.0;
                double p99ms = latencies[Math.min(latencies.length - 1, (int) (latencies.length * 0.99))] / 1000.0;
                csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.2f,%.2f%n", phase.getKey(), second.getKey(), count, p50ms, p99ms));
                x.add((double) second.getKey());
                rate.add((double) count);
                p99.add(Math.max(0.01, p99ms));
            }
            throughput.addSeries(phase.getKey(), x, rate).setMarker(SeriesMarkers.NONE);
            latency.addSeries(phase.getKey(), x, p99).setMarker(SeriesMarkers.NONE);
        }
        Files.writeString(dir.resolve("series.csv"), csv);
        if (!byPhase.isEmpty()) {
            BitmapEncoder.saveBitmap(List.of(throughput, latency), 2, 1, dir.resolve("chart").toString(),
                    BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private void close() {
        ticker.shutdownNow();
        pool.shutdownNow();
        channels.forEach(ManagedChannel::shutdownNow);
        try {
            deleteQueues();
        } catch (Exception e) {
            err.println("could not delete the bench's queues: " + e
                    + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
        }
    }

    /** The bench's queues are its own: removed afterwards, with their dead-letter queues and partitions (up to 64). */
    private void deleteQueues() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(amqpUrl);
        if (factory.getVirtualHost() == null || factory.getVirtualHost().isEmpty()) {
            factory.setVirtualHost("/"); // as eventbus.amqp-url: an empty path or "/" is the default virtual host
        }
        try (Connection connection = factory.newConnection("event-bus bench")) {
            Queues.delete(connection, queues, 64);
        }
    }
}
