package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.OpenStream;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.AckResponse;
import io.eventbus.grpc.v1.BindRequest;
import io.eventbus.grpc.v1.ExtendDeadlineRequest;
import io.eventbus.grpc.v1.GetMessageRequest;
import io.eventbus.grpc.v1.GetQueueRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.MessageRecord;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PublishBatchResponse;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PublishResponse;
import io.eventbus.grpc.v1.PullRequest;
import io.eventbus.grpc.v1.QueueInfo;
import io.eventbus.grpc.v1.SubscribeRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Issue 3 acceptance 1-3, 5, 6, 9 and the byte/header round trip, over eventbus.v1. */
class V1ConsumeIT extends BusTestSupport {

    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.retry-times", "3", "eventbus.stream-check-millis", "200");
    }

    private PublishResponse publish(String queue, String data) {
        return bus.v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8(data)).build());
    }

    private List<Message> pull(String queue, int max, int waitSeconds) {
        return bus.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(max).setWaitSeconds(waitSeconds).build())
                .getMessagesList();
    }

    private AckResponse ack(List<String> ids) {
        return bus.v1().ack(AckRequest.newBuilder().addAllIds(ids).build());
    }

    @Test
    void batchOfAThousandIsPulledExactlyOnceAndAckedInOneCall() {
        String queue = queue("v1-batch");
        PublishBatchRequest.Builder batch = PublishBatchRequest.newBuilder();
        IntStream.range(0, 1000).forEach(i -> batch.addMessages(
                PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8("m" + i))));
        PublishBatchResponse published = bus.v1().publishBatch(batch.build());
        assertThat(published.getResultsCount()).isEqualTo(1000);
        Set<String> publishedIds = published.getResultsList().stream().map(PublishResponse::getId).collect(Collectors.toSet());
        assertThat(publishedIds).hasSize(1000);

        List<String> pulled = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            List<Message> messages = pull(queue, 100, 5);
            assertThat(messages).hasSize(100);
            messages.forEach(m -> pulled.add(m.getId()));
        }
        assertThat(pulled).doesNotHaveDuplicates();
        assertThat(new HashSet<>(pulled)).isEqualTo(publishedIds);

        AckResponse acked = ack(pulled);
        assertThat(acked.getAcked()).isEqualTo(1000);
        assertThat(acked.getUnknownIdsList()).isEmpty();
        QueueInfo info = bus.v1().getQueue(GetQueueRequest.newBuilder().setQueue(queue).build());
        assertThat(info.getReady()).isZero();
        assertThat(info.getInFlight()).isZero();
        assertThat(info.getName()).isEqualTo(queue);
    }

    /** Acks of concurrent calls are acked together; each call is answered for its own ids. */
    @Test
    void concurrentAckCallsAreEachAnsweredForTheirOwnIds() throws Exception {
        String queue = queue("v1-concurrent-acks");
        PublishBatchRequest.Builder batch = PublishBatchRequest.newBuilder();
        IntStream.range(0, 400).forEach(i -> batch.addMessages(
                PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8("c" + i))));
        bus.v1().publishBatch(batch.build());
        List<String> pulled = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            pull(queue, 100, 1).forEach(m -> pulled.add(m.getId()));
            return pulled.size() >= 400;
        });
        var pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<AckResponse>> calls = new ArrayList<>();
            for (int c = 0; c < 40; c++) {
                // ten of this call's own, and one id nobody published
                List<String> ids = new ArrayList<>(pulled.subList(c * 10, c * 10 + 10));
                ids.add("never-published-" + c);
                calls.add(pool.submit(() -> ack(ids)));
            }
            for (int c = 0; c < 40; c++) {
                AckResponse answer = calls.get(c).get(30, TimeUnit.SECONDS);
                assertThat(answer.getAcked()).as("call %d", c).isEqualTo(10);
                assertThat(answer.getUnknownIdsList()).as("call %d", c).containsExactly("never-published-" + c);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(bus.v1().getQueue(GetQueueRequest.newBuilder().setQueue(queue).build()).getInFlight()).isZero();
        assertThat(ack(pulled.subList(0, 10)).getAcked()).as("acked again: acks are idempotent").isEqualTo(10);
    }

    @Test
    void pullWakesWhenAMessageArrivesInsteadOfWaitingItsFullWait() {
        String queue = queue("v1-longpoll");
        assertThat(pull(queue, 1, 0)).isEmpty(); // declares the queue
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        try {
            later.schedule(() -> publish(queue, "wake up"), 1, TimeUnit.SECONDS);
            long start = System.nanoTime();
            List<Message> messages = pull(queue, 10, 5);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(messages).extracting(m -> m.getData().toStringUtf8()).containsExactly("wake up");
            assertThat(tookMillis).isBetween(900L, 2500L);
            ack(List.of(messages.get(0).getId()));
        } finally {
            later.shutdownNow();
        }
    }

    @Test
    void aPullReturnsWithinItsWaitThoughMessagesKeepTrickling() {
        String queue = queue("v1-trickle");
        assertThat(pull(queue, 1, 0)).isEmpty(); // declares the queue
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            // a message every 2 ms (at most 500 a second), far closer together than the linger for
            // more (20 ms): gathering up to 1000 would take two seconds
            trickle.scheduleAtFixedRate(() -> publish(queue, "drop"), 0, 2, TimeUnit.MILLISECONDS);
            long start = System.nanoTime();
            List<Message> messages = pull(queue, 1000, 1);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(messages).isNotEmpty().hasSizeLessThan(1000);
            assertThat(tookMillis).as("within its 1 s wait").isLessThan(1600L);
            ack(messages.stream().map(Message::getId).toList());
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void streamHoldsAtMostMaxInFlightAndItsUnackedGoToTheNextSubscriberWhenCancelled() {
        String queue = queue("v1-stream");
        List<String> ids = IntStream.range(0, 15).mapToObj(i -> publish(queue, "s" + i).getId()).toList();

        OpenStream stream = OpenStream.open(bus.v1Async(), SubscribeRequest.newBuilder().setQueue(queue).setMaxInFlight(10).build());
        List<Message> received = stream.received();

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 10);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> received.size() == 10);

        List<String> firstFive = received.subList(0, 5).stream().map(Message::getId).toList();
        assertThat(ack(firstFive).getAcked()).isEqualTo(5);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 15);
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(() -> received.size() == 15);
        assertThat(received).extracting(Message::getId).containsExactlyInAnyOrderElementsOf(ids);

        Set<String> unacked = received.stream().map(Message::getId).filter(id -> !firstFive.contains(id))
                .collect(Collectors.toSet());
        assertThat(unacked).hasSize(10);
        stream.cancel();

        List<Message> again = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            again.addAll(pull(queue, 20, 1));
            return again.size() >= 10;
        });
        assertThat(again).extracting(Message::getId).containsExactlyInAnyOrderElementsOf(unacked);
        assertThat(again).allMatch(m -> m.getAttempt() == 2);
        ack(again.stream().map(Message::getId).toList());
    }

    @Test
    void aStreamsPlaceFreesWhenItsMessageIsAckedOnAnotherNode() throws Exception {
        String queue = queue("v1-stream-remote-ack");
        List<String> ids = IntStream.range(0, 2).mapToObj(i -> publish(queue, "r" + i).getId()).toList();
        OpenStream stream = OpenStream.open(bus.v1Async(), SubscribeRequest.newBuilder().setQueue(queue).setMaxInFlight(1).build());
        List<Message> received = stream.received();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
            // held at one, through several checks (200 ms apart here)
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);

            // another node's ack: the in-flight row leaves SQL, and this node hears nothing of it
            String first = received.get(0).getId();
            try (Connection connection = DriverManager.getConnection(BusNode.DB_URL + bus.database(), "root", "");
                 PreparedStatement delete = connection.prepareStatement("DELETE FROM scheduled WHERE id = ? AND kind = 'INFLIGHT'")) {
                delete.setString(1, first);
                assertThat(delete.executeUpdate()).isEqualTo(1);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
            assertThat(received).extracting(Message::getId).containsExactlyElementsOf(ids);
            assertThat(ack(List.of(received.get(1).getId())).getAcked()).isEqualTo(1);
        } finally {
            stream.cancel();
        }
    }

    @Test
    void nackWithADelayRedeliversAfterItAndExtendDeadlineHoldsRedeliveryOff() {
        String queue = queue("v1-nack");
        publish(queue, "again");
        Message first = pull(queue, 1, 5).get(0);
        assertThat(first.getAttempt()).isEqualTo(1);
        long nackedAt = System.nanoTime();
        bus.v1().nack(NackRequest.newBuilder().addIds(first.getId()).setDelaySeconds(1).setReason("try later").build());
        Message second = pull(queue, 1, 5).get(0);
        assertThat((System.nanoTime() - nackedAt) / 1_000_000).isGreaterThanOrEqualTo(1000);
        assertThat(second.getId()).isEqualTo(first.getId());
        assertThat(second.getAttempt()).isEqualTo(2);
        ack(List.of(second.getId()));

        String extended = queue("v1-extend");
        publish(extended, "slow work");
        Message work = bus.v1().pull(PullRequest.newBuilder().setQueue(extended).setMaxMessages(1).setWaitSeconds(5)
                .setAckDeadlineSeconds(2).build()).getMessages(0);
        bus.v1().extendDeadline(ExtendDeadlineRequest.newBuilder().addIds(work.getId()).setSeconds(6).build());
        // past the original 2 s deadline, nothing comes again
        assertThat(pull(extended, 1, 4)).isEmpty();
        Message redelivered = pull(extended, 1, 8).get(0);
        assertThat(redelivered.getId()).isEqualTo(work.getId());
        assertThat(redelivered.getAttempt()).isEqualTo(2);
        ack(List.of(redelivered.getId()));
    }

    @Test
    void extendDeadlineNamesTheIdsThatAreNotInFlightAndExtendsTheOthers() {
        String queue = queue("v1-extend-gone");
        publish(queue, "done");
        publish(queue, "slow");
        List<Message> both = new ArrayList<>(pull(queue, 2, 5));
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            both.addAll(pull(queue, 2, 0));
            return both.size() >= 2;
        });
        String done = both.get(0).getId();
        String slow = both.get(1).getId();
        ack(List.of(done));

        io.grpc.StatusRuntimeException refused = org.assertj.core.api.Assertions.catchThrowableOfType(() -> bus.v1().extendDeadline(
                ExtendDeadlineRequest.newBuilder().addIds(slow).addIds(done).addIds("no-such-id").setSeconds(30).build()),
                io.grpc.StatusRuntimeException.class);
        assertThat(refused.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
        assertThat(refused.getStatus().getDescription()).contains(done, "no-such-id", "the others' deadlines were extended")
                .doesNotContain(slow);
        // the one in flight was extended: extending it alone (to the same deadline) succeeds
        bus.v1().extendDeadline(ExtendDeadlineRequest.newBuilder().addIds(slow).addIds(slow).setSeconds(30).build());
        ack(List.of(slow));
    }

    @Test
    void anAckWithADeadIdStillAcksTheIdsAfterItAndThenSaysWhichWasDead() {
        String queue = queue("v1-ack-dead");
        String dead = publish(queue, "poison").getId();
        for (int delivery = 1; delivery <= 4; delivery++) { // 1 + retry-times 3
            assertThat(pull(queue, 1, 10)).extracting(Message::getId).containsExactly(dead);
            bus.v1().nack(NackRequest.newBuilder().addIds(dead).setDelaySeconds(0).build());
        }
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() ->
                "DEAD".equals(bus.v1().getMessage(GetMessageRequest.newBuilder().setId(dead).build()).getStatus()));

        // a message whose ack deadline passed: back in its queue, where a late ack still counts
        String late = publish(queue, "late").getId();
        assertThat(bus.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(1).setWaitSeconds(10)
                .setAckDeadlineSeconds(1).build()).getMessagesList()).extracting(Message::getId).containsExactly(late);
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() ->
                "READY".equals(bus.v1().getMessage(GetMessageRequest.newBuilder().setId(late).build()).getStatus()));

        io.grpc.StatusRuntimeException refused = org.assertj.core.api.Assertions.catchThrowableOfType(() -> ack(List.of(dead, late)),
                io.grpc.StatusRuntimeException.class);
        assertThat(refused.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
        assertThat(refused.getStatus().getDescription()).contains(dead, "DEAD", "1 acked").doesNotContain(late);
        // the late ack after the dead id counted: its copy in the queue is not delivered
        assertThat(pull(queue, 1, 3)).isEmpty();
    }

    @Test
    void topicPatternsRouteToTheQueuesBoundWithThem() {
        String prefix = Broker.uniqueName("shop").replace('.', '_');
        String orders = queue("v1-orders");
        String europe = queue("v1-europe");
        bus.v1().bind(BindRequest.newBuilder().setQueue(orders).setPattern(prefix + ".orders.*").build());
        bus.v1().bind(BindRequest.newBuilder().setQueue(europe).setPattern("#.eu").build());

        bus.v1().publish(PublishRequest.newBuilder().setTopic(prefix + ".orders.eu").setData(ByteString.copyFromUtf8("eu")).build());
        bus.v1().publish(PublishRequest.newBuilder().setTopic(prefix + ".orders.us").setData(ByteString.copyFromUtf8("us")).build());

        List<Message> toOrders = new ArrayList<>(pull(orders, 10, 3));
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            toOrders.addAll(pull(orders, 10, 0));
            return toOrders.size() >= 2;
        });
        assertThat(toOrders).extracting(m -> m.getData().toStringUtf8()).containsExactlyInAnyOrder("eu", "us");
        List<Message> toEurope = pull(europe, 10, 3);
        assertThat(toEurope).extracting(m -> m.getData().toStringUtf8()).containsExactly("eu");
        assertThat(pull(europe, 10, 1)).isEmpty();
        ack(toOrders.stream().map(Message::getId).toList());
        ack(toEurope.stream().map(Message::getId).toList());
    }

    @Test
    void getMessageShowsTheWholeHistory() {
        String queue = queue("v1-history");
        String id = publish(queue, "story").getId();
        Message first = pull(queue, 1, 5).get(0);
        bus.v1().nack(NackRequest.newBuilder().addIds(id).setDelaySeconds(0).setReason("not yet").build());
        Message second = pull(queue, 1, 5).get(0);
        assertThat(second.getAttempt()).isEqualTo(2);
        ack(List.of(id));

        // the ledger is written a moment behind the calls: NOT_FOUND, then the statuses
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                "ACKED".equals(bus.v1().getMessage(GetMessageRequest.newBuilder().setId(id).build()).getStatus()));
        MessageRecord record = bus.v1().getMessage(GetMessageRequest.newBuilder().setId(id).build());
        assertThat(record.getHistoryList()).extracting(io.eventbus.grpc.v1.Event::getStatus)
                .containsExactly("PUBLISHED", "DELIVERED", "NACKED", "REDELIVERED", "DELIVERED", "ACKED");
        List<Long> times = record.getHistoryList().stream().map(io.eventbus.grpc.v1.Event::getAtMicros).toList();
        assertThat(times).isSorted().allMatch(t -> t > 0);
        assertThat(record.getHistory(2).getDetail()).contains("not yet");
        assertThat(record.getMessage().getData().toStringUtf8()).isEqualTo("story");
        assertThat(record.getMessage().getQueue()).isEqualTo(queue);
        assertThat(first.getId()).isEqualTo(id);
    }

    @Test
    void bytesHeadersAndKeyRoundTripWithMicrosecondTimestamps() {
        String queue = queue("v1-bytes");
        byte[] every = new byte[256];
        for (int i = 0; i < 256; i++) {
            every[i] = (byte) i;
        }
        long before = System.currentTimeMillis() * 1000;
        String id = bus.v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFrom(every))
                .setKey("user-42").putHeaders("trace-id", "abc-123").putHeaders("ünï", "çødé").build()).getId();
        Message message = pull(queue, 1, 5).get(0);
        assertThat(message.getId()).isEqualTo(id);
        assertThat(message.getData().toByteArray()).isEqualTo(every);
        assertThat(message.getHeadersMap()).containsExactlyInAnyOrderEntriesOf(Map.of("trace-id", "abc-123", "ünï", "çødé"));
        assertThat(message.getKey()).isEqualTo("user-42");
        assertThat(message.getPartition()).isEqualTo(-1);
        assertThat(message.getPublishedAtMicros()).isBetween(before - 1000, System.currentTimeMillis() * 1000 + 1000);
        assertThat(message.getDeadlineMicros()).isGreaterThan(message.getPublishedAtMicros());
        ack(List.of(id));
    }
}
