package io.eventbus.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import io.eventbus.broker.Delivery;
import io.eventbus.grpc.mq.PublishRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessagesTest {

    private final Messages messages = new Messages();

    private static Delivery delivery(String queue, AMQP.BasicProperties properties) {
        return new Delivery(queue, null, 1, false, properties, "body".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void publishedMessagesGetDistinctTimeOrderedIds() {
        PublishRequest request = PublishRequest.newBuilder().setQueue("q").setData("d").setExpirationSeconds(5).build();
        BusMessage first = messages.fromPublish(request);
        BusMessage second = messages.fromPublish(request);
        assertThat(first.getId()).isNotEqualTo(second.getId());
        assertThat(first.getId().compareTo(second.getId())).isNegative();
        assertThat(first.getAttempt()).isEqualTo(1);
        assertThat(first.getTtlSeconds()).isEqualTo(5);
    }

    /**
     * Concurrent publish calls become their messages in the calls' order, each published at the
     * time its call was accepted (not when the combined run took it), due then too.
     */
    @Test
    void publishCallsBecomeTheirMessagesInOrderPublishedWhenTheirCallWasAccepted() {
        var plain = PublishRequest.newBuilder().setQueue("q").setData("a").setExpirationSeconds(5).build();
        var topic = io.eventbus.grpc.mq.TopicPublishRequest.newBuilder().setTopic("t").setData("b").build();
        var v1 = io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue("q1").setKey("k")
                .setData(com.google.protobuf.ByteString.copyFromUtf8("c")).putHeaders("h", "v").build();
        var got = messages.fromCalls(java.util.List.of(new PublishCall(plain, 1_000L), new PublishCall(topic, 2_000L),
                new PublishCall(v1, 3_000L)));
        assertThat(got).extracting(BusMessage::getQueue).containsExactly("q", null, "q1");
        assertThat(got).extracting(BusMessage::getTopic).containsExactly(null, "t", null);
        assertThat(got).extracting(m -> new String(m.getData(), StandardCharsets.UTF_8)).containsExactly("a", "b", "c");
        assertThat(got).extracting(BusMessage::getPublishedAtMicros).containsExactly(1_000L, 2_000L, 3_000L);
        assertThat(got).extracting(BusMessage::getDueAtMicros).containsExactly(1_000L, 2_000L, 3_000L);
        assertThat(got.get(0).getTtlSeconds()).isEqualTo(5);
        assertThat(got.get(2).getKey()).isEqualTo("k");
        assertThat(got.get(2).getHeaders()).containsEntry("h", "v");
        assertThat(got).extracting(BusMessage::getId).doesNotHaveDuplicates();
    }

    @Test
    void aRefusedMessageIsLeftOutOfThoseToPublish() {
        BusMessage good = messages.newMessage("q", new byte[] {1});
        BusMessage bad = messages.newMessage("q", new byte[] {2});
        var refusal = io.eventbus.BusException.invalid("no");
        assertThat(messages.refuse(bad, refusal)).isSameAs(bad);
        assertThat(bad.getRefusal()).isSameAs(refusal);
        assertThat(messages.unrefused(java.util.List.of(bad, good, bad))).containsExactly(good);
    }

    @Test
    void aSpooledMessagesRowHoldsItsKeyHeadersAndPayloadInTheStatementsOrder() {
        BusMessage message = messages.fromPublish(PublishRequest.newBuilder().setQueue("q").setData("d").setExpirationSeconds(5).build());
        message.setKey("k");
        message.setHeaders(Map.of("h", "v"));
        assertThat(messages.spoolRow(message, 42L)).containsExactly(message.getId(), "q", null, "k", "{\"h\":\"v\"}", "64", 1, 5L,
                message.getPublishedAtMicros(), 42L);
    }

    @Test
    void theRoutesTestsOfAMessageReadItsKeyDelayAndDestination() {
        BusMessage plain = messages.newMessage("q", new byte[] {1});
        assertThat(messages.hasIdempotencyKey(plain)).isFalse();
        assertThat(messages.isDelayed(plain)).isFalse();
        assertThat(messages.isForQueue(plain)).isTrue();
        plain.setIdempotencyKey("order-1");
        plain.setDelaySeconds(3);
        plain.setTopic("t");
        assertThat(messages.hasIdempotencyKey(plain)).isTrue();
        assertThat(messages.isDelayed(plain)).isTrue();
        assertThat(messages.isForQueue(plain)).isFalse();
    }

    @Test
    void aTopicCopyGetsAnIdPerQueue() {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .messageId("m1").headers(Map.of(Messages.TOPIC, "orders", Messages.ATTEMPT, 1)).build();
        assertThat(messages.fromDelivery(delivery("a", properties)).getId()).isEqualTo("m1@a");
        assertThat(messages.fromDelivery(delivery("b", properties)).getId()).isEqualTo("m1@b");
    }

    @Test
    void aRedeliveredTopicCopyKeepsItsId() {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .messageId("m1@a").headers(Map.of(Messages.ATTEMPT, 2)).build();
        BusMessage message = messages.fromDelivery(delivery("a", properties));
        assertThat(message.getId()).isEqualTo("m1@a");
        assertThat(message.getAttempt()).isEqualTo(2);
    }

    @Test
    void aPlainAmqpMessageGetsAnIdAndAttemptOne() {
        BusMessage message = messages.fromDelivery(delivery("q", new AMQP.BasicProperties()));
        assertThat(message.getId()).isNotBlank();
        assertThat(message.getAttempt()).isEqualTo(1);
        assertThat(message.getPublishedAtMicros()).isPositive();
        assertThat(message.isExpired()).isFalse();
    }

    @Test
    void aMessagePastItsExpiryIsExpired() {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .headers(Map.of(Messages.EXPIRES_AT, Micros.now() - 1)).build();
        assertThat(messages.fromDelivery(delivery("q", properties)).isExpired()).isTrue();
    }

    @Test
    void redeliveriesAndDeadLettersCarryNoTtl() {
        BusMessage message = messages.fromPublish(PublishRequest.newBuilder().setQueue("q").setData("d").setExpirationSeconds(5).build());
        BusMessage next = messages.nextAttempt(message);
        assertThat(next.getAttempt()).isEqualTo(2);
        assertThat(next.getTtlSeconds()).isZero();
        assertThat(next.getId()).isEqualTo(message.getId());
        BusMessage dead = messages.toDeadLetterQueue(next);
        assertThat(dead.getQueue()).isEqualTo("q.dlq");
        assertThat(dead.getAttempt()).as("a dead letter starts again in <queue>.dlq").isEqualTo(1);
        assertThat(messages.deadDetail(next)).isEqualTo("from q at attempt 2");
        assertThat(messages.deadLetterStatus("expired")).isEqualTo("EXPIRED");
        assertThat(messages.deadLetterStatus("rejected")).isEqualTo("DEAD");
    }

    @Test
    void aMessageThatDiedInAPartitionIsFiledUnderItsQueue() {
        var exchange = new org.apache.camel.support.DefaultExchange(new org.apache.camel.impl.DefaultCamelContext());
        exchange.getMessage().setHeader("x-first-death-queue", "orders.eu.3");
        exchange.getMessage().setHeader(Messages.PARTITION, 3);
        exchange.getMessage().setHeader(Messages.KEY, "user-1");
        exchange.getMessage().setBody("x".getBytes(StandardCharsets.UTF_8));
        BusMessage dead = messages.fromBrokerDeadLetter(exchange);
        assertThat(dead.getQueue()).isEqualTo("orders.eu");
        assertThat(dead.getKey()).isEqualTo("user-1");
        assertThat(messages.toDeadLetterQueue(dead).getQueue()).isEqualTo("orders.eu.dlq");

        exchange.getMessage().removeHeader(Messages.PARTITION);
        exchange.getMessage().setHeader("x-first-death-queue", "plain.3");
        assertThat(messages.fromBrokerDeadLetter(exchange).getQueue()).isEqualTo("plain.3");
    }

    /** Received messages are delivered, or filed: acked before (nowhere), expired (EXPIRED), undeliverable (DEAD). */
    @Test
    void receivedMessagesAreDeliveredOrFiledWithTheirReason() {
        BusMessage plain = messages.fromDelivery(delivery("q", new AMQP.BasicProperties.Builder().messageId("plain").build()));
        BusMessage acked = messages.fromDelivery(delivery("q", new AMQP.BasicProperties.Builder().messageId("acked").build()));
        acked.setAckedBefore(true);
        BusMessage expired = messages.fromDelivery(delivery("q", new AMQP.BasicProperties.Builder().messageId("expired")
                .headers(Map.of(Messages.EXPIRES_AT, 1L)).build()));
        BusMessage undeliverable = messages.fromDelivery(delivery("q", new AMQP.BasicProperties.Builder()
                .messageId("undeliverable").build()));
        undeliverable.setUndeliverable("its key has 300 characters: at most 255 are allowed");
        var received = java.util.List.of(plain, acked, expired, undeliverable);

        assertThat(messages.deliverable(received)).containsExactly(plain);
        assertThat(messages.filedAmong(received)).containsExactly(acked, expired, undeliverable);
        assertThat(messages.filedReason(acked)).isNull();
        assertThat(messages.filedReason(expired)).isEqualTo("EXPIRED");
        assertThat(messages.filedReason(undeliverable)).isEqualTo("DEAD");
        assertThat(messages.deadDetail(undeliverable))
                .isEqualTo("from q at attempt 1: not deliverable, its key has 300 characters: at most 255 are allowed");
        assertThat(messages.deadDetail(expired)).isEqualTo("from q at attempt 1");
    }
}
