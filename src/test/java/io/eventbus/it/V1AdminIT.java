package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.BindRequest;
import io.eventbus.grpc.v1.CancelRequest;
import io.eventbus.grpc.v1.ExtendDeadlineRequest;
import io.eventbus.grpc.v1.GetMessageRequest;
import io.eventbus.grpc.v1.GetQueueRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PublishResponse;
import io.eventbus.grpc.v1.PullRequest;
import io.eventbus.grpc.v1.RedriveRequest;
import io.eventbus.grpc.v1.SubscribeRequest;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Issue 3 acceptance 4, 7, 8 and 10 over eventbus.v1, and publish without Redis. */
class V1AdminIT extends BusTestSupport {

    @Override
    protected Map<String, String> settings() {
        // no retries: a nack dead-letters at once, which the redrive test needs
        return Map.of("eventbus.retry-times", "0", "eventbus.max-delay-seconds", "3600",
                "eventbus.max-message-bytes", "1024");
    }

    private static PublishRequest.Builder message(String queue, String data) {
        return PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8(data));
    }

    private List<Message> pull(String queue, int max, int waitSeconds) {
        return bus.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(max).setWaitSeconds(waitSeconds).build())
                .getMessagesList();
    }

    @Test
    void oneIdempotencyKeyFromTwoConcurrentClientsPublishesOneMessage() throws Exception {
        String queue = queue("v1-idem");
        String key = "order-" + System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        List<PublishResponse> responses;
        try {
            List<CompletableFuture<List<PublishResponse>>> both = IntStream.range(0, 2)
                    .mapToObj(client -> CompletableFuture.supplyAsync(() -> IntStream.range(0, 100)
                            .mapToObj(i -> bus.v1().publish(message(queue, "pay " + client + "/" + i).setIdempotencyKey(key).build()))
                            .toList(), clients))
                    .toList();
            responses = both.stream().flatMap(f -> f.join().stream()).toList();
        } finally {
            clients.shutdownNow();
        }
        assertThat(responses).hasSize(200);
        assertThat(responses).extracting(PublishResponse::getId).containsOnly(responses.get(0).getId());
        assertThat(responses).filteredOn(r -> !r.getDuplicate()).hasSize(1);

        List<Message> delivered = pull(queue, 10, 3);
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).getId()).isEqualTo(responses.get(0).getId());
        assertThat(pull(queue, 10, 1)).isEmpty();
        bus.v1().ack(AckRequest.newBuilder().addIds(delivered.get(0).getId()).build());
    }

    @Test
    void redriveMovesDeadLettersBackWithAttemptOne() {
        String queue = queue("v1-redrive");
        PublishBatchRequest.Builder batch = PublishBatchRequest.newBuilder();
        IntStream.range(0, 50).forEach(i -> batch.addMessages(message(queue, "d" + i)));
        bus.v1().publishBatch(batch.build());
        List<Message> first = new ArrayList<>();
        while (first.size() < 50) {
            first.addAll(pull(queue, 50, 5));
        }
        bus.v1().nack(NackRequest.newBuilder().addAllIds(first.stream().map(Message::getId).toList())
                .setDelaySeconds(0).setReason("poison").build());
        await().atMost(Duration.ofSeconds(15)).until(() ->
                bus.v1().getQueue(GetQueueRequest.newBuilder().setQueue(queue).build()).getDead() == 50);

        assertThat(bus.v1().redrive(RedriveRequest.newBuilder().setQueue(queue).build()).getMoved()).isEqualTo(50);

        List<Message> again = new ArrayList<>();
        while (again.size() < 50) {
            List<Message> pulled = pull(queue, 50, 5);
            assertThat(pulled).isNotEmpty();
            again.addAll(pulled);
        }
        assertThat(again).extracting(Message::getId).containsExactlyInAnyOrderElementsOf(first.stream().map(Message::getId).toList());
        assertThat(again).allMatch(m -> m.getAttempt() == 1);
        assertThat(bus.v1().getQueue(GetQueueRequest.newBuilder().setQueue(queue).build()).getDead()).isZero();
        bus.v1().ack(AckRequest.newBuilder().addAllIds(again.stream().map(Message::getId).toList()).build());
    }

    @Test
    void cancelledDelayedMessageIsNeverDeliveredAndCancelAfterDueIsFalse() {
        String queue = queue("v1-cancel");
        String id = bus.v1().publish(message(queue, "never").setDelaySeconds(2).build()).getId();
        assertThat(bus.v1().cancel(CancelRequest.newBuilder().setId(id).build()).getCancelled()).isTrue();
        assertThat(pull(queue, 1, 4)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                "CANCELLED".equals(bus.v1().getMessage(GetMessageRequest.newBuilder().setId(id).build()).getStatus()));

        String due = bus.v1().publish(message(queue, "on time").setDelaySeconds(1).build()).getId();
        Message delivered = pull(queue, 1, 5).get(0);
        assertThat(delivered.getId()).isEqualTo(due);
        assertThat(bus.v1().cancel(CancelRequest.newBuilder().setId(due).build()).getCancelled()).isFalse();
        bus.v1().ack(AckRequest.newBuilder().addIds(due).build());
    }

    private static Code statusOf(Runnable call) {
        try {
            call.run();
            return Code.OK;
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getDescription()).as("a message a person can act on").isNotBlank();
            return e.getStatus().getCode();
        }
    }

    @Test
    void everyInvalidArgumentIsRefusedWithAClearStatus() {
        String queue = queue("v1-invalid");
        var v1 = bus.v1();
        // publish
        assertThat(statusOf(() -> v1.publish(message(queue, "x").setTopic("t").build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.publish(PublishRequest.newBuilder().setData(ByteString.copyFromUtf8("x")).build())))
                .isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.publish(message(queue, "").build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.publish(message("bad name", "x").build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.publish(message("amq.x", "x").build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.publish(PublishRequest.newBuilder().setTopic("bad topic").setData(ByteString.copyFromUtf8("x")).build())))
                .isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.publish(message(queue, "x").setDelaySeconds(3601).build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.publish(message(queue, "x".repeat(1025)).build()))).isEqualTo(Code.RESOURCE_EXHAUSTED);
        assertThat(statusOf(() -> v1.publish(message(queue, "x").putHeaders("", "v").build()))).isEqualTo(Code.INVALID_ARGUMENT);
        // batch
        assertThat(statusOf(() -> v1.publishBatch(PublishBatchRequest.getDefaultInstance()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.publishBatch(PublishBatchRequest.newBuilder()
                .addMessages(message(queue, "fine")).addMessages(message(queue, "")).build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(pull(queue, 10, 1)).as("a refused batch publishes none of its messages").isEmpty();
        // consume
        assertThat(statusOf(() -> v1.pull(PullRequest.newBuilder().setQueue("").build()))).isEqualTo(Code.INVALID_ARGUMENT);
        // over eventbus.max-batch: a limit, not a malformed request
        assertThat(statusOf(() -> v1.pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(1001).build())))
                .isEqualTo(Code.RESOURCE_EXHAUSTED);
        assertThat(statusOf(() -> v1.pull(PullRequest.newBuilder().setQueue(queue).setWaitSeconds(301).build())))
                .isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.subscribe(SubscribeRequest.newBuilder().setQueue("amq.q").build()).hasNext()))
                .isEqualTo(Code.INVALID_ARGUMENT);
        // settle
        assertThat(statusOf(() -> v1.ack(AckRequest.getDefaultInstance()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.nack(NackRequest.newBuilder().addIds("").build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.nack(NackRequest.newBuilder().addIds("no-such-id").build()))).isEqualTo(Code.NOT_FOUND);
        assertThat(statusOf(() -> v1.extendDeadline(ExtendDeadlineRequest.newBuilder().addIds("x").build())))
                .isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(v1.ack(AckRequest.newBuilder().addIds("no-such-id").build()).getUnknownIdsList()).containsExactly("no-such-id");
        // admin
        for (String pattern : new String[] {"", "a..b", "orders.*x", "a b", ".a", "a."}) {
            assertThat(statusOf(() -> v1.bind(BindRequest.newBuilder().setQueue(queue).setPattern(pattern).build())))
                    .as(pattern).isEqualTo(Code.INVALID_ARGUMENT);
        }
        assertThat(statusOf(() -> v1.getMessage(GetMessageRequest.getDefaultInstance()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.getMessage(GetMessageRequest.newBuilder().setId("no-such-id").build()))).isEqualTo(Code.NOT_FOUND);
        assertThat(statusOf(() -> v1.getQueue(GetQueueRequest.newBuilder().setQueue("a/b").build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.redrive(RedriveRequest.getDefaultInstance()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.cancel(CancelRequest.getDefaultInstance()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> v1.cancel(CancelRequest.newBuilder().setId("no-such-id").build()))).isEqualTo(Code.NOT_FOUND);
    }
}
