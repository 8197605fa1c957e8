package io.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import io.eventbus.it.Broker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A queue's inbox on the machine's RabbitMQ: the consumer it releases when idle, and when not. */
class QueueInboxIT {

    @Test
    void aCallServedAfterWaitingLongerThanTheIdleTimeKeepsItsChannel() throws Exception {
        String queue = Broker.uniqueName("inbox-idle");
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(300);
        try (Connection connection = Broker.factory().newConnection(); Channel publisher = connection.createChannel()) {
            publisher.queueDeclare(queue, true, false, false, null);
            QueueInbox inbox = new QueueInbox(queue, () -> connection, 10);
            CompletableFuture<Delivery> call = inbox.take();
            // the call waits longer than the idle time, and is waiting: nothing is released
            long waitingSince = System.nanoTime();
            await().atMost(Duration.ofSeconds(2)).until(() -> System.nanoTime() - waitingSince > 2 * idleNanos);
            assertThat(inbox.releaseIfIdle(idleNanos)).isFalse();

            publisher.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, "m".getBytes(StandardCharsets.UTF_8));
            Delivery delivery = call.get(10, TimeUnit.SECONDS);
            // the call now records its delivery: the maintenance tick comes by before its ack
            assertThat(inbox.releaseIfIdle(idleNanos)).as("released under a delivery being recorded").isFalse();
            assertThat(delivery.channel().isOpen()).isTrue();
            delivery.channel().basicAck(delivery.deliveryTag(), false);

            // nobody asks for more: released once idle
            long servedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(2)).until(() -> System.nanoTime() - servedAt > idleNanos);
            assertThat(inbox.releaseIfIdle(idleNanos)).isTrue();
            publisher.queueDelete(queue);
        }
    }

    /**
     * A run that filed one delivery (acked it) and then failed gives the whole batch back: the acked
     * one is not rejected again, which would make RabbitMQ close the channel and hand every other
     * unacked delivery of it out again.
     */
    @Test
    void aDeliveryAckedAlreadyIsNotGivenBackAgain() throws Exception {
        String queue = Broker.uniqueName("inbox-settled");
        try (Connection connection = Broker.factory().newConnection(); Channel publisher = connection.createChannel()) {
            publisher.queueDeclare(queue, true, false, false, null);
            for (String body : List.of("filed", "other")) {
                publisher.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, body.getBytes(StandardCharsets.UTF_8));
            }
            QueueInbox inbox = new QueueInbox(queue, () -> connection, 10);
            Delivery filed = inbox.take().get(10, TimeUnit.SECONDS);
            Delivery other = inbox.take().get(10, TimeUnit.SECONDS);
            Inboxes inboxes = new Inboxes(null, 10, 30, null, null);

            inboxes.ack(filed);
            inboxes.reject(filed);
            // a synchronous method on the channel: an error of the reject above would have closed it
            filed.channel().basicQos(10);
            assertThat(filed.channel().isOpen()).isTrue();
            inboxes.ack(other);
            filed.channel().basicQos(10);
            assertThat(publisher.queueDeclarePassive(queue).getMessageCount()).as("given back").isZero();
            publisher.queueDelete(queue);
            inbox.close();
        }
    }
}
