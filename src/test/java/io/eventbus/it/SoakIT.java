package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 5 acceptance 6, the soak: messages through publish → pull → ack on two bus nodes (jar
 * processes with -Xmx256m) behind round-robin clients, with one RabbitMQ restart and one SIGKILL of
 * a node on the way. Afterwards: nothing lost; the surviving node's heap after a full GC at the
 * end within 10% of its heap after the first tenth; the database connections each node holds,
 * sampled all along (by owning process, with ss), never above its pool. Full size (1 000 000)
 * under -Pfaults.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SoakIT {

    private static final int MESSAGES = Integer.getInteger("soak.messages", 2000);
    private static final int POOL = 10;
    private static final int BATCH = 100;
    private final String queue = Broker.uniqueName("soak");

    @AfterAll
    void cleanUp() throws Exception {
        Services.restoreAll();
        Broker.deleteQueues(List.of(queue));
    }

    /** A client behind a round-robin balancer: the next node; when the connection is lost, another, until one answers. */
    private static <T> T call(List<AtomicReference<EventBusGrpc.EventBusBlockingStub>> nodes, AtomicInteger turn,
                              Function<EventBusGrpc.EventBusBlockingStub, T> rpc) {
        for (int attempt = 0; ; attempt++) {
            EventBusGrpc.EventBusBlockingStub node = nodes.get(Math.floorMod(turn.getAndIncrement(), nodes.size())).get();
            try {
                return rpc.apply(node.withDeadlineAfter(30, TimeUnit.SECONDS));
            } catch (StatusRuntimeException e) {
                if (!ConnectionLost.by(e) || attempt > 3000) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    @Test
    void aLongRunThroughABrokerRestartAndANodeKillLosesNothingAndLeaksNothing() throws Exception {
        Services.restoreAll();
        String database = "evtest_soak";
        try (Connection sql = DriverManager.getConnection("jdbc:mysql://127.0.0.1:3306/?useSSL=false&allowPublicKeyRetrieval=true", "root", "")) {
            sql.createStatement().execute("DROP DATABASE IF EXISTS " + database);
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("camel.main.name", "event-bus-soak");
        settings.put("eventbus.db.database", database);
        settings.put("eventbus.db.pool-size", String.valueOf(POOL));
        settings.put("eventbus.redis.key-prefix", "evtest-soak-" + System.nanoTime() + ":");
        settings.put("eventbus.ack-deadline-seconds", "10");
        File log = new File("target/soak-nodes.log");
        List<Map<String, String>> nodeSettings = new ArrayList<>();
        List<AtomicReference<BusProcess>> processes = new ArrayList<>();
        List<ManagedChannel> channels = new ArrayList<>();
        List<AtomicReference<EventBusGrpc.EventBusBlockingStub>> nodes = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            Map<String, String> own = new HashMap<>(settings);
            int port = BusNode.freePort();
            own.put("eventbus.rpc-port", String.valueOf(port));
            own.put("eventbus.http-port", String.valueOf(BusNode.freePort()));
            nodeSettings.add(own);
            processes.add(new AtomicReference<>(BusProcess.start(own, Map.of(), log)));
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            channels.add(channel);
            nodes.add(new AtomicReference<>(EventBusGrpc.newBlockingStub(channel)));
        }

        BitSet confirmed = new BitSet(MESSAGES);
        int[] deliveries = new int[MESSAGES];
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger turn = new AtomicInteger();
        AtomicInteger nextBatch = new AtomicInteger();
        // the most database connections one node held at once, and both together (live processes)
        AtomicLong maxPerNode = new AtomicLong();
        AtomicLong maxConnections = new AtomicLong();
        AtomicInteger samples = new AtomicInteger();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleWithFixedDelay(() -> {
            try {
                Map<Long, Integer> perProcess = connectionsToMariaDb();
                long both = 0;
                for (AtomicReference<BusProcess> process : processes) {
                    int held = perProcess.getOrDefault(process.get().pid(), 0);
                    maxPerNode.accumulateAndGet(held, Math::max);
                    both += held;
                }
                maxConnections.accumulateAndGet(both, Math::max);
                samples.incrementAndGet();
            } catch (Exception e) {
                // a failed sample is just skipped
            }
        }, 0, 250, TimeUnit.MILLISECONDS);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        long heapEarly;
        int ackedEarly;
        long heapEnd;
        long started = System.nanoTime();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                work.add(clients.submit(() -> {
                    for (int b; (b = nextBatch.getAndIncrement()) * BATCH < MESSAGES; ) {
                        PublishBatchRequest.Builder batch = PublishBatchRequest.newBuilder();
                        int from = b * BATCH;
                        int to = Math.min(MESSAGES, from + BATCH);
                        for (int i = from; i < to; i++) {
                            batch.addMessages(PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8(String.valueOf(i))));
                        }
                        call(nodes, turn, node -> node.publishBatch(batch.build()));
                        synchronized (confirmed) {
                            confirmed.set(from, to);
                        }
                    }
                    return null;
                }));
            }
            for (int c = 0; c < 4; c++) {
                work.add(clients.submit(() -> {
                    while (acked.get() < MESSAGES && !Thread.currentThread().isInterrupted()) {
                        List<Message> messages;
                        try {
                            messages = call(nodes, turn, node -> node.pull(PullRequest.newBuilder().setQueue(queue)
                                    .setMaxMessages(BATCH).setWaitSeconds(1).build())).getMessagesList();
                        } catch (StatusRuntimeException e) {
                            continue;
                        }
                        if (messages.isEmpty()) {
                            continue;
                        }
                        List<String> ids = new ArrayList<>();
                        int first = 0;
                        synchronized (deliveries) {
                            for (Message message : messages) {
                                int i = Integer.parseInt(message.getData().toString(StandardCharsets.UTF_8));
                                if (deliveries[i]++ == 0) {
                                    first++;
                                }
                                ids.add(message.getId());
                            }
                        }
                        call(nodes, turn, node -> node.ack(AckRequest.newBuilder().addAllIds(ids).build()));
                        acked.addAndGet(first);
                    }
                    return null;
                }));
            }

            Awaitility.await().atMost(Duration.ofMinutes(60)).until(() -> acked.get() >= MESSAGES / 10);
            ackedEarly = acked.get();
            heapEarly = heapAfterFullGc(processes.get(0).get());
            System.out.printf("soak: %d acked after %d s, heap of node 1 after a full GC %d KiB%n",
                    ackedEarly, seconds(started), heapEarly);

            Awaitility.await().atMost(Duration.ofMinutes(60)).until(() -> acked.get() >= MESSAGES * 3 / 10);
            Services.run("rabbitmqctl", "stop_app");
            Services.awaitDown(Services.RABBITMQ);
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3)); // the clients retry through the outage
            Services.startRabbitMq();
            System.out.printf("soak: RabbitMQ restarted at %d acked, %d s%n", acked.get(), seconds(started));

            Awaitility.await().atMost(Duration.ofMinutes(60)).until(() -> acked.get() >= MESSAGES * 6 / 10);
            processes.get(1).get().kill();
            System.out.printf("soak: node 2 killed at %d acked, %d s%n", acked.get(), seconds(started));
            processes.get(1).set(BusProcess.start(nodeSettings.get(1), Map.of(), log));

            for (Future<?> f : work) {
                f.get(120, TimeUnit.MINUTES);
            }
            heapEnd = heapAfterFullGc(processes.get(0).get());
        } finally {
            clients.shutdownNow();
            sampler.shutdownNow();
            channels.forEach(ManagedChannel::shutdownNow);
            for (AtomicReference<BusProcess> process : processes) {
                process.get().close();
            }
            Services.restoreAll();
        }
        long twice = 0;
        long lost = 0;
        for (int i = 0; i < MESSAGES; i++) {
            if (deliveries[i] > 1) {
                twice++;
            }
            if (confirmed.get(i) && deliveries[i] == 0) {
                lost++;
            }
        }
        System.out.printf("soak run: %d messages in %d s, published-confirmed %d, acked %d, delivered-twice %d, lost %d, "
                        + "heap of node 1 after a full GC %d KiB at %d acked, %d KiB at the end (%+.1f%%), "
                        + "database connections at most %d per node (pool %d), %d for both, in %d samples%n",
                MESSAGES, seconds(started), confirmed.cardinality(), acked.get(), twice, lost, heapEarly, ackedEarly,
                heapEnd, 100.0 * (heapEnd - heapEarly) / heapEarly, maxPerNode.get(), POOL, maxConnections.get(), samples.get());
        assertThat(lost).isZero();
        assertThat(confirmed.cardinality()).isEqualTo(MESSAGES);
        assertThat(samples.get()).as("connection samples").isPositive();
        assertThat(maxPerNode.get()).as("database connections of one node").isPositive().isLessThanOrEqualTo(POOL);
        assertThat(maxConnections.get()).as("database connections of both nodes").isLessThanOrEqualTo(2 * POOL);
        if (MESSAGES >= 100_000) {
            // a short run's first tenth is still warming up (caches, pools): the bound applies to long runs
            assertThat(heapEnd).as("heap after a full GC at the end vs after the first tenth")
                    .isLessThanOrEqualTo(heapEarly + heapEarly / 10);
        }
    }

    private static final Pattern PID = Pattern.compile("pid=(\\d+)");

    /** Established TCP connections to MariaDB's port, by owning process id (ss -tnp). */
    private static Map<Long, Integer> connectionsToMariaDb() throws Exception {
        Process ss = new ProcessBuilder("ss", "-Htnp", "state", "established", "( dport = :3306 )")
                .redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor(10, TimeUnit.SECONDS);
        Map<Long, Integer> counts = new HashMap<>();
        for (String line : out.split("\n")) {
            Matcher pid = PID.matcher(line);
            if (pid.find()) {
                counts.merge(Long.parseLong(pid.group(1)), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static long seconds(long startedNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
    }

    /** The node's used heap (KiB) right after a full GC, as jcmd reports it. */
    private static long heapAfterFullGc(BusProcess node) throws Exception {
        jcmd(node.pid(), "GC.run");
        String info = jcmd(node.pid(), "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
        if (!used.find()) {
            throw new IllegalStateException("no heap figure in: " + info);
        }
        return Long.parseLong(used.group(1));
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process jcmd = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/jcmd").getPath(),
                String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }
}
