package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.GetQueueRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PublishResponse;
import io.eventbus.grpc.v1.PullRequest;
import io.eventbus.partition.HashRing;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.File;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 4 acceptance 1 (in the bus), 2 and 3: keys on the ring's partitions, per-key order with
 * concurrent consumers on two bus nodes, a failing head dead-lettered before its partition moves
 * on. The order run's size comes from -Dorder.keys / -Dorder.messages (the full acceptance run is
 * 1000 x 50; CI runs a smaller one).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionedIT {

    private static final int PARTITIONS = 16;
    private final String ordered = Broker.uniqueName("ordered");
    private final String keyed = Broker.uniqueName("keyed");
    private final String poison = Broker.uniqueName("poison");
    private final String doomed = Broker.uniqueName("doomed");
    private BusNode first;
    private BusProcess second;
    private ManagedChannel secondChannel;

    @BeforeAll
    void start() throws Exception {
        Map<String, String> settings = new HashMap<>();
        for (String queue : List.of(ordered, keyed)) {
            settings.put("eventbus.queues." + queue + ".partitions", String.valueOf(PARTITIONS));
            settings.put("eventbus.queues." + queue + ".retry-times", "1000");
        }
        settings.put("eventbus.queues." + poison + ".partitions", "4");
        settings.put("eventbus.queues." + poison + ".retry-times", "2");
        settings.put("eventbus.queues." + doomed + ".partitions", "2");
        settings.put("eventbus.queues." + doomed + ".retry-times", "0");
        first = BusNode.start("partitioned", settings);
        Map<String, String> secondSettings = new HashMap<>(first.settings());
        secondSettings.put("eventbus.rpc-port", String.valueOf(BusNode.freePort()));
        secondSettings.put("eventbus.http-port", String.valueOf(BusNode.freePort()));
        second = BusProcess.start(secondSettings, Map.of(), new File("target/partitioned-second-node.log"));
        secondChannel = ManagedChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(secondSettings.get("eventbus.rpc-port")))
                .usePlaintext().build();
    }

    @AfterAll
    void stop() throws Exception {
        if (secondChannel != null) {
            secondChannel.shutdownNow();
        }
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
        Broker.deleteQueues(List.of(ordered, keyed), PARTITIONS);
        Broker.deleteQueues(List.of(poison), 4);
        Broker.deleteQueues(List.of(doomed), 2);
        Broker.deleteQueues(List.of(doomed + ".dlq"));
    }

    private EventBusGrpc.EventBusBlockingStub node(int i) {
        return (i % 2 == 0 ? first.v1() : EventBusGrpc.newBlockingStub(secondChannel)).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @Test
    void aKeyGoesToItsRingPartitionOnEitherNode() {
        HashRing ring = new HashRing(PARTITIONS);
        for (int i = 0; i < 40; i++) {
            String key = "customer-" + i;
            PublishResponse published = node(i).publish(PublishRequest.newBuilder().setQueue(keyed).setKey(key)
                    .setData(ByteString.copyFromUtf8(key)).build());
            assertThat(published.getPartition()).as(key).isEqualTo(ring.partitionOf(key));
        }
        PublishResponse unkeyed = first.v1().publish(PublishRequest.newBuilder().setQueue(keyed)
                .setData(ByteString.copyFromUtf8("no key")).build());
        assertThat(unkeyed.getPartition()).isBetween(0, PARTITIONS - 1);
        var info = first.v1().getQueue(GetQueueRequest.newBuilder().setQueue(keyed).build());
        assertThat(info.getPartitions()).isEqualTo(PARTITIONS);
        assertThat(info.getReady()).isEqualTo(41);
        assertThat(info.getConsumers()).isZero();
    }

    @Test
    void everyKeyIsAckedInPublishOrderByConcurrentConsumersOnTwoNodes() throws Exception {
        int keys = Integer.getInteger("order.keys", 100);
        int perKey = Integer.getInteger("order.messages", 20);
        int total = keys * perKey;

        // 4 publishers, each key from one publisher, in sequence
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        List<Future<?>> published = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            int publisher = p;
            published.add(publishers.submit(() -> {
                for (int seq = 0; seq < perKey; seq++) {
                    for (int k = publisher; k < keys; k += 4) {
                        node(publisher).publish(PublishRequest.newBuilder().setQueue(ordered).setKey("key-" + k)
                                .setData(ByteString.copyFromUtf8(k + ":" + seq)).build());
                    }
                }
                return null;
            }));
        }

        // 8 pullers, 4 on each node: 0-5 ms of work, 5% nacked with a 0-1 s delay
        Map<String, List<Integer>> ackedInOrder = new ConcurrentHashMap<>();
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger nacked = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pullers = Executors.newFixedThreadPool(8);
        List<Future<?>> consumed = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < 8; c++) {
            int puller = c;
            consumed.add(pullers.submit(() -> {
                while (!stop.get() && acked.get() < total) {
                    // one at a time: a consumer that takes several heads holds all their partitions
                    List<Message> messages = node(puller).pull(PullRequest.newBuilder().setQueue(ordered)
                            .setMaxMessages(1).setWaitSeconds(1).build()).getMessagesList();
                    for (Message message : messages) {
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(ThreadLocalRandom.current().nextInt(5000)));
                        if (ThreadLocalRandom.current().nextInt(100) < 5) {
                            node(puller).nack(NackRequest.newBuilder().addIds(message.getId())
                                    .setDelaySeconds(ThreadLocalRandom.current().nextInt(2)).build());
                            nacked.incrementAndGet();
                        } else {
                            String[] keyAndSeq = message.getData().toStringUtf8().split(":");
                            ackedInOrder.computeIfAbsent(keyAndSeq[0], k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                                    .add(Integer.parseInt(keyAndSeq[1]));
                            // behind a load balancer: the ack reaches either node
                            node(ThreadLocalRandom.current().nextInt(2)).ack(AckRequest.newBuilder().addIds(message.getId()).build());
                            acked.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : published) {
                f.get(5, TimeUnit.MINUTES);
            }
            await().atMost(Duration.ofMinutes(10)).until(() -> acked.get() >= total || consumed.stream().anyMatch(Future::isDone));
        } finally {
            stop.set(true);
            for (Future<?> f : consumed) {
                f.get(2, TimeUnit.MINUTES);
            }
            publishers.shutdownNow();
            pullers.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("order run: %d keys x %d messages on %d partitions, 2 nodes, 8 pullers: %d acked, %d nacked, %.1f s, %.0f msg/s%n",
                keys, perKey, PARTITIONS, acked.get(), nacked.get(), seconds, acked.get() / seconds);

        assertThat(acked.get()).isEqualTo(total);
        List<Integer> expected = IntStream.range(0, perKey).boxed().toList();
        assertThat(ackedInOrder).hasSize(keys);
        ackedInOrder.forEach((key, sequence) -> assertThat(sequence).as("key %s", key).isEqualTo(expected));
        // the ledger: every message acked exactly once
        await().atMost(Duration.ofSeconds(30)).until(() -> countEvents("ACKED") == total);
        assertThat(countDistinctAcked()).isEqualTo(total);
    }

    private long countEvents(String event) throws Exception {
        try (Connection connection = DriverManager.getConnection(BusNode.DB_URL + first.database(), "root", "");
             PreparedStatement select = connection.prepareStatement(
                     "SELECT COUNT(*) FROM message_event e JOIN message m ON m.id = e.message_id WHERE e.event = ? AND m.queue = ?")) {
            select.setString(1, event);
            select.setString(2, ordered);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private long countDistinctAcked() throws Exception {
        try (Connection connection = DriverManager.getConnection(BusNode.DB_URL + first.database(), "root", "");
             PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM message WHERE queue = ? AND status = 'ACKED'")) {
            select.setString(1, ordered);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    @Test
    void aFailingHeadGoesToTheDeadLettersThenItsPartitionContinuesInOrder() {
        String key = "stuck";
        for (int seq = 0; seq < 6; seq++) {
            first.v1().publish(PublishRequest.newBuilder().setQueue(poison).setKey(key)
                    .setData(ByteString.copyFromUtf8(seq == 0 ? "poison" : "m" + seq)).build());
        }
        List<String> delivered = new ArrayList<>();
        List<Integer> poisonAttempts = new ArrayList<>();
        AtomicInteger pulls = new AtomicInteger();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            // either node may hold the partition: pull from both, in turn
            for (Message message : node(pulls.getAndIncrement()).pull(PullRequest.newBuilder().setQueue(poison)
                    .setMaxMessages(4).setWaitSeconds(1).build()).getMessagesList()) {
                String data = message.getData().toStringUtf8();
                delivered.add(data);
                if (data.equals("poison")) {
                    poisonAttempts.add(message.getAttempt());
                    first.v1().nack(NackRequest.newBuilder().addIds(message.getId()).setDelaySeconds(0).build());
                } else {
                    first.v1().ack(AckRequest.newBuilder().addIds(message.getId()).build());
                }
            }
            return delivered.stream().filter(d -> !d.equals("poison")).count() == 5;
        });
        // retry-times 2: three deliveries of the head, then the rest of its partition, in order
        assertThat(poisonAttempts).containsExactly(1, 2, 3);
        assertThat(delivered).containsExactly("poison", "poison", "poison", "m1", "m2", "m3", "m4", "m5");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                first.v1().getQueue(GetQueueRequest.newBuilder().setQueue(poison).build()).getDead() == 1);
    }

    @Test
    void aDeadLetterTakenAtOnceFromItsDlqStaysInFlightThere() throws Exception {
        String dlq = doomed + ".dlq";
        // a consumer of the dead letters already waiting when the head is dead-lettered: it takes
        // the dead letter (same id) while the head's node is still finishing with the head's row
        CompletableFuture<List<Message>> waiting = CompletableFuture.supplyAsync(() -> first.v1()
                .withDeadlineAfter(60, TimeUnit.SECONDS).pull(PullRequest.newBuilder().setQueue(dlq).setMaxMessages(1)
                        .setWaitSeconds(30).setAckDeadlineSeconds(2).build()).getMessagesList());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                first.v1().getQueue(GetQueueRequest.newBuilder().setQueue(dlq).build()).getConsumers() > 0);
        String id = first.v1().publish(PublishRequest.newBuilder().setQueue(doomed).setKey("k")
                .setData(ByteString.copyFromUtf8("doomed")).build()).getId();
        AtomicInteger pulls = new AtomicInteger();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<Message> head = node(pulls.getAndIncrement()).pull(PullRequest.newBuilder().setQueue(doomed)
                    .setMaxMessages(1).setWaitSeconds(1).build()).getMessagesList();
            head.forEach(m -> first.v1().nack(NackRequest.newBuilder().addIds(m.getId()).setDelaySeconds(0).build()));
            return !head.isEmpty();
        });

        List<Message> deadLetter = waiting.get(60, TimeUnit.SECONDS);
        assertThat(deadLetter).extracting(Message::getId).containsExactly(id);
        // not acked: in flight on the dead-letter queue, so it comes again after its 2 s deadline
        List<Message> again = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            again.addAll(first.v1().pull(PullRequest.newBuilder().setQueue(dlq).setMaxMessages(1).setWaitSeconds(1).build())
                    .getMessagesList());
            return !again.isEmpty();
        });
        assertThat(again).extracting(Message::getId).containsExactly(id);
        first.v1().ack(AckRequest.newBuilder().addIds(id).build());
    }
}
