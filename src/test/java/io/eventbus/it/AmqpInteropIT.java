package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Acceptance 7: a plain AMQP client (amqp-client) and the bus exchange messages both ways. */
class AmqpInteropIT extends BusTestSupport {

    /** A small payload limit, for a plain client's message over it. */
    private static final int MAX_MESSAGE_BYTES = 1000;

    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.max-message-bytes", String.valueOf(MAX_MESSAGE_BYTES));
    }

    @Test
    void plainAmqpClientReadsWhatTheBusPublished() throws Exception {
        String queue = queue("to-amqp");
        mq().publish(PublishRequest.newBuilder().setQueue(queue).setData("from the bus").build());

        try (Connection connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            GetResponse got = channel.basicGet(queue, true);
            assertThat(got).isNotNull();
            assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("from the bus");
            assertThat(got.getProps().getMessageId()).isNotBlank();
            assertThat(got.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(got.getProps().getHeaders()).containsKey("x-eventbus-published-at");
            assertThat(got.getProps().getHeaders().get("x-eventbus-attempt")).hasToString("1");
        }
    }

    @Test
    void messageAPlainAmqpClientPublishedComesOutOfSubscribe() throws Exception {
        String queue = queue("from-amqp");
        // the bus declares the queue on first subscribe
        assertThat(subscribe(queue, Duration.ofMillis(300))).isEmpty();

        try (Connection connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("eventbus.direct", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                    "from amqp".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5000);
        }

        SubscribeResponse message = subscribe(queue, Duration.ofSeconds(10)).orElseThrow();
        assertThat(message.getData()).isEqualTo("from amqp");
        assertThat(message.getId()).isNotBlank();
        mq().ack(QueueId.newBuilder().setId(message.getId()).build());
    }

    /**
     * A plain AMQP client may send what the bus's own publish refuses: a key over 255 characters
     * (more than the in-flight row holds), a payload over eventbus.max-message-bytes. Such a message
     * is filed, whole, in the queue's dead letters with the reason in the ledger; the messages around
     * it are delivered. (The key's made the in-flight insert fail: the whole run went back to
     * RabbitMQ, which handed it out again at once, for ever, and the subscribe calls failed.)
     */
    @Test
    void whatAPlainClientSentBeyondTheBusLimitsGoesToTheDeadLettersAndTheRestIsDelivered() throws Exception {
        String queue = queue("undeliverable");
        String deadLetters = queueNamed(queue + ".dlq");
        assertThat(subscribe(queue, Duration.ofMillis(300))).isEmpty();
        String longKey = "k".repeat(300);
        try (Connection connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            publish(channel, queue, "first", Map.of(), "first".getBytes(StandardCharsets.UTF_8));
            publish(channel, queue, "long-key." + queue, Map.of("x-eventbus-key", longKey),
                    "keyed".getBytes(StandardCharsets.UTF_8));
            publish(channel, queue, "too-large." + queue, Map.of(), new byte[MAX_MESSAGE_BYTES + 1]);
            publish(channel, queue, "last", Map.of(), "last".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5000);
        }

        List<String> delivered = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            SubscribeResponse message = subscribe(queue, Duration.ofSeconds(10)).orElseThrow();
            delivered.add(message.getData());
            mq().ack(QueueId.newBuilder().setId(message.getId()).build());
        }
        assertThat(delivered).containsExactly("first", "last");
        assertThat(subscribe(queue, Duration.ofSeconds(1))).as("nothing else delivered").isEmpty();

        try (Connection connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel.queueDeclarePassive(deadLetters).getMessageCount() == 2);
            GetResponse keyed = channel.basicGet(deadLetters, true);
            assertThat(keyed.getProps().getMessageId()).isEqualTo("long-key." + queue);
            assertThat(keyed.getProps().getHeaders().get("x-eventbus-key")).hasToString(longKey);
            GetResponse large = channel.basicGet(deadLetters, true);
            assertThat(large.getProps().getMessageId()).isEqualTo("too-large." + queue);
            assertThat(large.getBody()).hasSize(MAX_MESSAGE_BYTES + 1);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(Ledgers.strings(bus.database(),
                    "SELECT detail FROM message_event WHERE message_id = ? AND event = 'DEAD'", "long-key." + queue))
                    .singleElement().asString().contains("its key has 300 characters");
            assertThat(Ledgers.strings(bus.database(),
                    "SELECT detail FROM message_event WHERE message_id = ? AND event = 'DEAD'", "too-large." + queue))
                    .singleElement().asString().contains("its payload has 1001 bytes");
        });
    }

    private static void publish(Channel channel, String queue, String id, Map<String, Object> headers, byte[] body)
            throws Exception {
        channel.basicPublish("eventbus.direct", queue, new AMQP.BasicProperties.Builder()
                .deliveryMode(2).messageId(id).headers(headers).build(), body);
    }
}
