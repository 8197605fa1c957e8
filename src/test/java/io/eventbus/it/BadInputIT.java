package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.eventbus.grpc.mq.DelayPublishRequest;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.mq.TopicPublishRequest;
import io.eventbus.grpc.mq.TopicSubscribeRequest;
import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.BindRequest;
import io.eventbus.grpc.v1.ExtendDeadlineRequest;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PullRequest;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.stream.IntStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Acceptance 9: bad input gets a clear status, never INTERNAL, and logs no stack trace.
 * Ack of an unknown id is NOT_FOUND. Malformed input is INVALID_ARGUMENT; input over a configured
 * limit is RESOURCE_EXHAUSTED, its message naming the limit's key.
 */
class BadInputIT extends BusTestSupport {

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.max-message-bytes", "1024", "eventbus.max-delay-seconds", "3600",
                "eventbus.max-batch", "5", "eventbus.max-headers", "4", "eventbus.max-header-bytes", "100",
                "eventbus.max-in-flight", "10");
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void noStackTraceWasLogged() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        assertThat(logs.list).noneMatch(event -> event.getThrowableProxy() != null);
        assertThat(logs.list).noneMatch(event -> event.getLevel() == ch.qos.logback.classic.Level.ERROR);
    }

    private Code publish(String queue, String data) {
        return codeOf(() -> mq().publish(PublishRequest.newBuilder().setQueue(queue).setData(data).build()));
    }

    @Test
    void emptyQueueOrDataIsInvalid() {
        assertThat(publish("", "data")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(publish(queue("empty-data"), "")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> topics().publish(TopicPublishRequest.newBuilder().setTopic("").setData("x").build())))
                .isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> mq().withDeadlineAfter(2, java.util.concurrent.TimeUnit.SECONDS)
                .subscribe(SubscribeRequest.newBuilder().setQueue("").build()))).isEqualTo(Code.INVALID_ARGUMENT);
    }

    @Test
    void namesOutsideTheRuleAreInvalid() {
        assertThat(publish("orders; drop table message", "x")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(publish("amq.orders", "x")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(publish("q".repeat(201), "x")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(publish("ünïcode", "x")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> topics().withDeadlineAfter(2, java.util.concurrent.TimeUnit.SECONDS)
                .subscribe(TopicSubscribeRequest.newBuilder().setTopic("t").setQueueName("bad/name").build())))
                .isEqualTo(Code.INVALID_ARGUMENT);
    }

    @Test
    void dataOverTheLimitIsResourceExhausted() {
        assertThat(publish(queue("big"), "x".repeat(1025))).isEqualTo(Code.RESOURCE_EXHAUSTED);
        assertThat(publish(queue("fits"), "x".repeat(1024))).isEqualTo(Code.OK);
    }

    /**
     * Concurrent unary publishes go to RabbitMQ together (one run of accept-publishes), but a bad
     * message among them fails its own call only: every good one is accepted and delivered once,
     * with the id its Publish answered, and no bad one is delivered.
     */
    @Test
    void aBadPublishAmongConcurrentGoodOnesFailsItsOwnCallOnly() throws Exception {
        String queue = queue("concurrent");
        int callers = 8;
        int calls = 60;
        java.util.Set<String> answeredIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.Set<String> acceptedData = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
        try {
            List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                running.add(pool.submit(() -> {
                    for (int call = 0; call < calls; call++) {
                        String data = caller + "-" + call;
                        boolean v1 = call % 2 == 0;
                        switch (call % 5) {
                            case 1 -> assertThat(v1 ? codeOf(() -> bus.v1().withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                                    .publish(v1Message(queue).setData(ByteString.EMPTY).build())) : publish(queue, ""))
                                    .isEqualTo(Code.INVALID_ARGUMENT);
                            case 3 -> assertThat(v1 ? codeOf(() -> bus.v1().withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                                    .publish(v1Message(queue).setData(ByteString.copyFromUtf8("x".repeat(1025))).build()))
                                    : publish(queue, "x".repeat(1025))).isEqualTo(Code.RESOURCE_EXHAUSTED);
                            default -> {
                                if (v1) {
                                    var answer = bus.v1().withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                                            .publish(v1Message(queue).setData(ByteString.copyFromUtf8(data)).build());
                                    assertThat(answer.getPartition()).isEqualTo(-1);
                                    assertThat(answeredIds.add(answer.getId())).as("a fresh id").isTrue();
                                } else {
                                    assertThat(publish(queue, data)).isEqualTo(Code.OK);
                                }
                                acceptedData.add(data);
                            }
                        }
                    }
                }));
            }
            for (var f : running) {
                f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(acceptedData).hasSize(callers * calls * 3 / 5);
        java.util.Map<String, String> delivered = new java.util.concurrent.ConcurrentHashMap<>();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            var pulled = bus.v1().withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                    .pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(5).setWaitSeconds(1).build()); // (eventbus.max-batch here)
            for (var message : pulled.getMessagesList()) {
                assertThat(delivered.put(message.getData().toStringUtf8(), message.getId())).as("delivered once").isNull();
            }
            if (pulled.getMessagesCount() > 0) {
                bus.v1().withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS).ack(AckRequest.newBuilder()
                        .addAllIds(pulled.getMessagesList().stream().map(io.eventbus.grpc.v1.Message::getId).toList()).build());
            }
            return delivered.size() >= acceptedData.size();
        });
        assertThat(delivered.keySet()).containsExactlyInAnyOrderElementsOf(acceptedData);
        assertThat(delivered.values()).containsAll(answeredIds);
    }

    /** The call's status, which must be RESOURCE_EXHAUSTED naming {@code key}. */
    private static void assertOverLimit(Runnable call, String key) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("(" + key + ")");
            return;
        }
        throw new AssertionError("the call was accepted; expected RESOURCE_EXHAUSTED (" + key + ")");
    }

    private static io.eventbus.grpc.v1.PublishRequest.Builder v1Message(String queue) {
        return io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8("x"));
    }

    @Test
    void batchesOverTheLimitAreResourceExhausted() {
        String queue = queue("batch");
        var v1 = bus.v1();
        PublishBatchRequest.Builder six = PublishBatchRequest.newBuilder();
        IntStream.range(0, 6).forEach(i -> six.addMessages(v1Message(queue)));
        assertOverLimit(() -> v1.publishBatch(six.build()), "eventbus.max-batch");
        assertOverLimit(() -> v1.pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(6).build()), "eventbus.max-batch");
        List<String> ids = IntStream.range(0, 6).mapToObj(i -> "id-" + i).toList();
        assertOverLimit(() -> v1.ack(AckRequest.newBuilder().addAllIds(ids).build()), "eventbus.max-batch");
        assertOverLimit(() -> v1.nack(NackRequest.newBuilder().addAllIds(ids).build()), "eventbus.max-batch");
        assertOverLimit(() -> v1.extendDeadline(ExtendDeadlineRequest.newBuilder().addAllIds(ids).setSeconds(10).build()),
                "eventbus.max-batch");
        PublishBatchRequest.Builder five = PublishBatchRequest.newBuilder();
        IntStream.range(0, 5).forEach(i -> five.addMessages(v1Message(queue)));
        assertThat(v1.publishBatch(five.build()).getResultsCount()).isEqualTo(5);
    }

    @Test
    void headersOverTheLimitsAreResourceExhausted() {
        String queue = queue("headers");
        var v1 = bus.v1();
        assertOverLimit(() -> v1.publish(v1Message(queue).putAllHeaders(Map.of("a", "1", "b", "2", "c", "3", "d", "4", "e", "5"))
                .build()), "eventbus.max-headers");
        assertOverLimit(() -> v1.publish(v1Message(queue).putHeaders("h", "v".repeat(100)).build()), "eventbus.max-header-bytes");
        assertOverLimit(() -> v1.publishBatch(PublishBatchRequest.newBuilder().addMessages(v1Message(queue))
                .addMessages(v1Message(queue).putHeaders("h", "v".repeat(100))).build()), "eventbus.max-header-bytes");
        assertThat(codeOf(() -> v1.publish(v1Message(queue).putHeaders("", "v").build()))).isEqualTo(Code.INVALID_ARGUMENT);
        // at the limits: 4 headers, 100 bytes in all
        assertThat(codeOf(() -> v1.publish(v1Message(queue).putAllHeaders(Map.of("a", "1", "b", "2", "c", "3"))
                .putHeaders("h", "v".repeat(93)).build()))).isEqualTo(Code.OK);
    }

    @Test
    void maxInFlightOverTheLimitIsResourceExhausted() {
        String queue = queue("in-flight");
        var stream = bus.v1().withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
                .subscribe(io.eventbus.grpc.v1.SubscribeRequest.newBuilder().setQueue(queue).setMaxInFlight(11).build());
        assertOverLimit(stream::hasNext, "eventbus.max-in-flight");
    }

    @Test
    void malformedV1InputStaysInvalidArgument() {
        var v1 = bus.v1();
        assertThat(codeOf(() -> v1.bind(BindRequest.newBuilder().setQueue(queue("bind")).setPattern("a..b").build())))
                .isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> v1.publish(v1Message("amq.gen-1").build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> v1.publishBatch(PublishBatchRequest.getDefaultInstance()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> v1.pull(PullRequest.newBuilder().setQueue("a b").build()))).isEqualTo(Code.INVALID_ARGUMENT);
    }

    @Test
    void delayBeyondTheMaximumIsInvalid() {
        assertThat(codeOf(() -> mq().delayPublish(DelayPublishRequest.newBuilder()
                .setQueue(queue("far")).setData("x").setDelaySeconds(3601).build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> mq().delayPublish(DelayPublishRequest.newBuilder()
                .setQueue(queue("far")).setData("x").setDelaySeconds(-1L).build()))).isEqualTo(Code.INVALID_ARGUMENT);
    }

    @Test
    void ackOrNackOfAnUnknownIdIsNotFound() {
        assertThat(codeOf(() -> mq().ack(QueueId.newBuilder().setId("no-such-id").build()))).isEqualTo(Code.NOT_FOUND);
        assertThat(codeOf(() -> mq().nack(QueueId.newBuilder().setId("no-such-id").build()))).isEqualTo(Code.NOT_FOUND);
        assertThat(codeOf(() -> mq().ack(QueueId.newBuilder().setId("").build()))).isEqualTo(Code.INVALID_ARGUMENT);
    }

    @Test
    void nackAfterAckIsFailedPreconditionAndAckTwiceIsFine() {
        String queue = queue("ack-nack");
        assertThat(publish(queue, "once")).isEqualTo(Code.OK);
        SubscribeResponse message = subscribe(queue, Duration.ofSeconds(10)).orElseThrow();
        QueueId id = QueueId.newBuilder().setId(message.getId()).build();

        assertThat(codeOf(() -> mq().ack(id))).isEqualTo(Code.OK);
        assertThat(codeOf(() -> mq().ack(id))).isEqualTo(Code.OK);
        assertThat(codeOf(() -> mq().nack(id))).isEqualTo(Code.FAILED_PRECONDITION);
    }
}
