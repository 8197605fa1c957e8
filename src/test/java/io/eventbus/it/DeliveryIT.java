package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Acceptance 1-3: ack, redelivery after the ack deadline, nack then dead letters. */
class DeliveryIT extends BusTestSupport {

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "eventbus.ack-deadline-seconds", "2",
                "eventbus.nack-delay-seconds", "2",
                "eventbus.retry-times", "2");
    }

    private String publish(String queue, String data) {
        mq().publish(PublishRequest.newBuilder().setQueue(queue).setData(data).build());
        return data;
    }

    @Test
    void publishedMessageArrivesOnceAndIsAckedInTheLedger() throws Exception {
        String queue = queue("ack");
        publish(queue, "hello");

        SubscribeResponse message = subscribe(queue, Duration.ofSeconds(10)).orElseThrow();
        assertThat(message.getData()).isEqualTo("hello");
        assertThat(message.getQueue()).isEqualTo(queue);
        mq().ack(QueueId.newBuilder().setId(message.getId()).build());

        // past the 2 s ack deadline: an acked message never comes again
        assertThat(subscribe(queue, Duration.ofSeconds(3))).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACKED".equals(bus.ledgerStatus(message.getId())));
        assertThat(bus.ledgerEvents(message.getId())).containsExactly("PUBLISHED", "DELIVERED", "ACKED");
    }

    @Test
    void unackedMessageComesAgainAfterItsAckDeadline() {
        String queue = queue("deadline");
        publish(queue, "work");

        SubscribeResponse first = subscribe(queue, Duration.ofSeconds(10)).orElseThrow();
        long firstAt = System.nanoTime();
        SubscribeResponse again = subscribe(queue, Duration.ofSeconds(10)).orElseThrow();
        long elapsedMillis = (System.nanoTime() - firstAt) / 1_000_000;

        assertThat(again.getId()).isEqualTo(first.getId());
        assertThat(again.getData()).isEqualTo("work");
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(2000);
        mq().ack(QueueId.newBuilder().setId(again.getId()).build());
    }

    @Test
    void nackedMessageComesAgainAfterTheNackDelayThenGoesToTheDeadLetterQueue() throws Exception {
        String queue = queue("nack");
        publish(queue, "poison");

        SubscribeResponse delivery = subscribe(queue, Duration.ofSeconds(10)).orElseThrow();
        String id = delivery.getId();
        // retry-times 2: the first delivery and two redeliveries, each nacked
        for (int redelivery = 1; redelivery <= 2; redelivery++) {
            long nackedAt = System.nanoTime();
            mq().nack(QueueId.newBuilder().setId(id).build());
            delivery = subscribe(queue, Duration.ofSeconds(10)).orElseThrow();
            assertThat(delivery.getId()).isEqualTo(id);
            assertThat((System.nanoTime() - nackedAt) / 1_000_000).isGreaterThanOrEqualTo(2000);
        }
        mq().nack(QueueId.newBuilder().setId(id).build());

        await().atMost(Duration.ofSeconds(15)).until(() -> "DEAD".equals(bus.ledgerStatus(id)));
        assertThat(subscribe(queue, Duration.ofSeconds(3))).isEmpty();
        SubscribeResponse dead = subscribe(queue + ".dlq", Duration.ofSeconds(10)).orElseThrow();
        assertThat(dead.getId()).isEqualTo(id);
        assertThat(dead.getData()).isEqualTo("poison");
        assertThat(dead.getQueue()).isEqualTo(queue + ".dlq");
        mq().ack(QueueId.newBuilder().setId(id).build());
    }

    @Test
    void concurrentFirstPublishesToANewQueueAreAllDelivered() {
        // many publishers racing on a queue nobody declared yet: none may publish before it exists
        for (int round = 0; round < 5; round++) {
            String queue = queue("first-use");
            ExecutorService publishers = Executors.newFixedThreadPool(8);
            try {
                List<CompletableFuture<Void>> sent = IntStream.range(0, 80)
                        .mapToObj(i -> CompletableFuture.runAsync(() -> publish(queue, "m" + i), publishers))
                        .toList();
                sent.forEach(CompletableFuture::join);
            } finally {
                publishers.shutdownNow();
            }
            Set<String> received = new HashSet<>();
            for (int i = 0; i < 80; i++) {
                SubscribeResponse message = subscribe(queue, Duration.ofSeconds(5)).orElseThrow(
                        () -> new AssertionError("only " + received.size() + " of 80 messages arrived: " + queue));
                received.add(message.getData());
                mq().ack(QueueId.newBuilder().setId(message.getId()).build());
            }
            assertThat(received).hasSize(80);
        }
    }

    /**
     * Compatible subscribes and acks of concurrent calls are written and acked together
     * (InFlightInserts, InFlightAcks): each message is delivered once, each in-flight id is acked once, an id acked twice at once is OK both times, an unknown id
     * is still NOT_FOUND, and nothing stays in flight.
     */
    @Test
    void concurrentCompatibleSubscribesAndAcksAreEachSettled() throws Exception {
        String queue = queue("concurrent-acks");
        List<String> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
        int messages = 120;
        for (int i = 0; i < messages; i++) {
            mq().publish(PublishRequest.newBuilder().setQueue(queue).setData("m" + i).build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            // concurrent subscribes: their in-flight rows go in shared inserts (InFlightInserts)
            List<CompletableFuture<String>> received = IntStream.range(0, messages).mapToObj(i -> CompletableFuture.supplyAsync(
                    () -> subscribe(queue, Duration.ofSeconds(20)).orElseThrow().getId(), pool)).toList();
            ids.addAll(received.stream().map(CompletableFuture::join).toList());
            assertThat(new HashSet<>(ids)).as("each message delivered once").hasSize(messages);
            List<CompletableFuture<io.grpc.Status.Code>> acks = new java.util.ArrayList<>();
            java.util.function.Function<String, CompletableFuture<io.grpc.Status.Code>> ack = id -> CompletableFuture.supplyAsync(() -> {
                try {
                    mq().ack(QueueId.newBuilder().setId(id).build());
                    return io.grpc.Status.Code.OK;
                } catch (io.grpc.StatusRuntimeException e) {
                    return e.getStatus().getCode();
                }
            }, pool);
            for (String id : ids) {
                acks.add(ack.apply(id));
                acks.add(ack.apply(id)); // the same id twice, at once
            }
            CompletableFuture<io.grpc.Status.Code> unknown = ack.apply("no-such-id-" + System.nanoTime());
            assertThat(acks.stream().map(CompletableFuture::join)).hasSize(2 * messages).containsOnly(io.grpc.Status.Code.OK);
            assertThat(unknown.join()).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
        } finally {
            pool.shutdownNow();
        }
        assertThat(bus.v1().getQueue(io.eventbus.grpc.v1.GetQueueRequest.newBuilder().setQueue(queue).build()).getInFlight()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream().allMatch(id -> {
            try {
                return "ACKED".equals(bus.ledgerStatus(id));
            } catch (java.sql.SQLException e) {
                return false;
            }
        }));
        assertThat(subscribe(queue, Duration.ofSeconds(2))).as("nothing comes again").isEmpty();
    }
}
