package io.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.eventbus.it.Broker;
import io.eventbus.message.BusMessage;
import io.eventbus.message.Messages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The publisher on the machine's RabbitMQ, set up as the bus sets it up (simple confirms, a channel
 * cache): batches of concurrent callers are all confirmed, each in its order; a batch whose channel
 * RabbitMQ closes fails at once with the broker's reason, as an {@link AmqpException} (what the
 * publish routes take for the broker's failure and spool for), not after the confirm timeout.
 */
class BrokerPublisherIT {

    /** Longer than any wait below may take: a failure must come from the broker, not from this. */
    private static final long CONFIRM_TIMEOUT_MILLIS = 30_000;

    private final String queue = Broker.uniqueName("publisher");
    private CachingConnectionFactory factory;
    private BrokerPublisher publisher;

    @BeforeEach
    void start() throws Exception {
        factory = new CachingConnectionFactory(Broker.factory());
        factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
        factory.setChannelCacheSize(4);
        try (Connection connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            channel.exchangeDeclare(Topology.DIRECT, "direct", true);
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueBind(queue, Topology.DIRECT, queue);
        }
        // messages for a queue named "missing…" go to an exchange that does not exist: RabbitMQ
        // closes the channel (404), which is how a batch it does not take looks here
        Messages messages = new Messages() {
            @Override
            public String exchangeOf(BusMessage message) {
                return message.getQueue().startsWith("missing") ? "no-such-exchange." + queue : super.exchangeOf(message);
            }
        };
        publisher = new BrokerPublisher(new RabbitTemplate(factory), messages, CONFIRM_TIMEOUT_MILLIS, null);
    }

    @AfterEach
    void stop() throws Exception {
        factory.destroy();
        Broker.deleteQueues(List.of(queue));
    }

    private BusMessage message(String queueName, String text) {
        BusMessage message = new BusMessage();
        message.setId(text);
        message.setQueue(queueName);
        message.setData(text.getBytes(StandardCharsets.UTF_8));
        message.setAttempt(1);
        message.setPublishedAtMicros(1);
        return message;
    }

    /** Eight callers at once, 50 batches of 20 each: every message arrives once, each caller's in its order. */
    @Test
    void concurrentBatchesAreAllConfirmedAndKeepTheirOrder() throws Exception {
        int callers = 8;
        int batches = 50;
        int size = 20;
        Callers.run(callers, caller -> {
            for (int b = 0; b < batches; b++) {
                List<BusMessage> batch = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    batch.add(message(queue, caller + ":" + (b * size + i)));
                }
                publisher.sendAll(batch);
            }
        });
        Map<String, Integer> lastOf = new HashMap<>();
        int received = 0;
        try (Connection connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            assertThat(channel.queueDeclarePassive(queue).getMessageCount())
                    .as("confirmed means in the queue").isEqualTo(callers * batches * size);
            for (GetResponse got; (got = channel.basicGet(queue, true)) != null; received++) {
                String[] parts = new String(got.getBody(), StandardCharsets.UTF_8).split(":");
                int seq = Integer.parseInt(parts[1]);
                assertThat(seq).as("caller %s's next message", parts[0]).isEqualTo(lastOf.getOrDefault(parts[0], -1) + 1);
                lastOf.put(parts[0], seq);
            }
        }
        assertThat(received).isEqualTo(callers * batches * size);
    }

    /**
     * RabbitMQ closes the batch's channel (an exchange that is not there): the send fails at once
     * with its reason, as an AmqpException (it was the client's ShutdownSignalException, which the
     * routes did not catch: the call failed INTERNAL instead of its messages being spooled), and the
     * next batch goes as usual.
     */
    @Test
    void aBatchTheBrokerDoesNotTakeFailsAtOnceAndTheNextOneGoes() throws Exception {
        long started = System.nanoTime();
        assertThatThrownBy(() -> publisher.sendAll(List.of(message("missing", "lost"), message("missing", "lost too"))))
                .isInstanceOf(AmqpException.class)
                .hasMessageContaining("NOT_FOUND");
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms to fail").isLessThan(CONFIRM_TIMEOUT_MILLIS / 2);

        publisher.sendAll(List.of(message(queue, "after")));
        try (Connection connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            GetResponse got = channel.basicGet(queue, true);
            assertThat(got).isNotNull();
            assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("after");
        }
    }
}
