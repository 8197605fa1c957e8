package io.eventbus.broker;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.BusException;
import io.grpc.Status;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's inboxes, one per queue that somebody subscribed to, over one consumer connection of
 * their own (apart from the publishers' connection, so that flow control on publishing never
 * stalls deliveries).
 */
public class Inboxes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Inboxes.class);

    private final ConnectionFactory factory;
    private final int prefetch;
    private final long idleNanos;
    private final Map<String, QueueInbox> inboxes = new ConcurrentHashMap<>();
    private Connection connection;

    public Inboxes(ConnectionFactory factory, int prefetch, long idleSeconds) {
        this.factory = factory;
        this.prefetch = prefetch;
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
    }

    /** The next message of a queue, as a future; cancel it through {@link #forget}. */
    public CompletableFuture<Delivery> take(String queue) {
        try {
            return inbox(queue).take();
        } catch (IOException | RuntimeException e) {
            throw new BusException(Status.Code.UNAVAILABLE, "cannot consume queue " + queue + " from RabbitMQ: " + e);
        }
    }

    public void forget(String queue, CompletableFuture<Delivery> call) {
        inbox(queue).forget(call);
    }

    /** A message taken but not handed to anyone goes back, first in line. */
    public void giveBack(Delivery delivery) {
        inbox(delivery.queue()).offer(delivery, true);
    }

    /** Removes the message from RabbitMQ: call only once it is recorded in flight. */
    public void ack(Delivery delivery) {
        try {
            delivery.channel().basicAck(delivery.deliveryTag(), false);
        } catch (IOException | RuntimeException e) {
            // the channel closed: RabbitMQ has the message back and delivers it again
            LOG.warn("Ack to RabbitMQ of a message from {} failed ({}); it will come again", delivery.queue(), e.toString());
        }
    }

    /** Gives the message back to RabbitMQ (for example when it could not be recorded in flight). */
    public void reject(Delivery delivery) {
        try {
            delivery.channel().basicReject(delivery.deliveryTag(), true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Reject of a message from {} failed: {}", delivery.queue(), e.toString());
        }
    }

    /** A channel of its own for one redrive: closing it gives back whatever it got and did not ack. */
    public com.rabbitmq.client.Channel openChannel() throws IOException {
        return connection().createChannel();
    }

    /** One dead letter of {@code queue}'s .dlq, unacked (ack it once it is safely elsewhere), or null. */
    public Delivery getDeadLetter(com.rabbitmq.client.Channel channel, String queue) throws IOException {
        String dlq = Topology.deadLetterQueueOf(queue);
        com.rabbitmq.client.GetResponse got = channel.basicGet(dlq, false);
        return got == null ? null : new Delivery(dlq, channel, got.getEnvelope().getDeliveryTag(),
                got.getEnvelope().isRedeliver(), got.getProps(), got.getBody());
    }

    public void closeChannel(com.rabbitmq.client.Channel channel) {
        try {
            if (channel != null && channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            LOG.debug("Closing a redrive channel: {}", e.toString());
        }
    }

    /** Called on a timer: resumes consumers that calls wait on, releases those nobody used. */
    public void maintain() {
        for (QueueInbox inbox : inboxes.values()) {
            try {
                if (inbox.hasWaiting()) {
                    inbox.consume();
                } else {
                    inbox.releaseIfIdle(idleNanos);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot resume consuming: {}", e.toString());
            }
        }
    }

    private QueueInbox inbox(String queue) {
        return inboxes.computeIfAbsent(queue, q -> new QueueInbox(q, this::connection, prefetch));
    }

    private synchronized Connection connection() {
        if (connection == null || !connection.isOpen()) {
            try {
                connection = factory.newConnection("event-bus consumers");
            } catch (IOException | TimeoutException e) {
                throw new IllegalStateException("RabbitMQ unreachable: " + e.getMessage(), e);
            }
        }
        return connection;
    }

    @Override
    public synchronized void close() {
        inboxes.values().forEach(QueueInbox::close);
        inboxes.clear();
        if (connection != null && connection.isOpen()) {
            try {
                connection.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing the consumer connection: {}", e.toString());
            }
        }
    }
}
