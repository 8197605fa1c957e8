package io.eventbus.broker;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.BusException;
import io.eventbus.message.BusMessage;
import io.eventbus.message.Messages;
import io.eventbus.store.QueueSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import io.grpc.Status;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
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
    private final QueueSettings settings;
    private final Messages messages;
    private final Map<String, Inbox> inboxes = new ConcurrentHashMap<>();
    private Connection connection;
    private io.eventbus.events.SystemEvents events;

    /** Where the consumer connection reports that it connected and lost its broker. */
    public void setEvents(io.eventbus.events.SystemEvents events) {
        this.events = events;
    }

    /** Why a wait ended when the node stops (no stack trace: one instance serves every call). */
    private static final BusException STOPPING = new BusException(Status.Code.UNAVAILABLE,
            "this node is stopping; call another node");
    private volatile boolean stopping;

    public Inboxes(ConnectionFactory factory, int prefetch, long idleSeconds, QueueSettings settings, Messages messages) {
        this.factory = factory;
        this.prefetch = prefetch;
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        this.settings = settings;
        this.messages = messages;
    }

    /** The next message of a queue, as a future; cancel it through {@link #forget}. */
    public CompletableFuture<Delivery> take(String queue) {
        if (stopping) {
            return CompletableFuture.failedFuture(STOPPING);
        }
        try {
            return inbox(queue).take();
        } catch (IOException | RuntimeException e) {
            throw new BusException(Status.Code.UNAVAILABLE, "cannot consume queue " + queue + " from RabbitMQ: " + e);
        }
    }

    /** Up to {@code max} more messages of a queue that this node has at hand; never waits. */
    public List<Delivery> takeReady(String queue, int max) {
        return max <= 0 ? List.of() : inbox(queue).takeReady(max);
    }

    public void forget(String queue, CompletableFuture<Delivery> call) {
        inbox(queue).forget(call);
    }

    /** A message taken but not handed to anyone goes back, first in line. */
    public void giveBack(Delivery delivery) {
        inbox(delivery.queue()).giveBack(delivery);
    }

    /** Messages from {@link io.eventbus.message.Messages#fromDelivery} are recorded in flight. */
    public void handedOverAll(List<BusMessage> messages) {
        messages.forEach(this::handedOver);
    }

    /**
     * A message from {@link io.eventbus.message.Messages#fromDelivery} is recorded in flight. (It
     * keeps naming its delivery: that is how a call picks its own out of a combined run.)
     */
    public void handedOver(BusMessage message) {
        handedOver(message.getDelivery(), message.getId());
    }

    /**
     * The message is recorded in flight under {@code id}. A plain queue's message leaves the broker
     * now; a partition's head stays there, unacked, until it is settled.
     */
    private void handedOver(Delivery delivery, String id) {
        if (delivery.fromPartition()) {
            partitioned(delivery.queue()).handedOver(delivery, id);
        } else {
            ack(delivery);
        }
    }

    /** Removes the message from RabbitMQ (a partition's head: the partition moves on). */
    public void ack(Delivery delivery) {
        if (delivery.fromPartition()) {
            partitioned(delivery.queue()).release(delivery);
            return;
        }
        if (!delivery.settle()) {
            return;
        }
        try {
            delivery.channel().basicAck(delivery.deliveryTag(), false);
        } catch (IOException | RuntimeException e) {
            // the channel closed: RabbitMQ has the message back and delivers it again
            LOG.warn("Ack to RabbitMQ of a message from {} failed ({}); it will come again", delivery.queue(), e.toString());
        }
    }

    /**
     * Gives the message back (for example when it could not be recorded in flight): to RabbitMQ,
     * or, for a partition's head, to the partition's slot, still first in line.
     */
    public void reject(Delivery delivery) {
        if (delivery.fromPartition()) {
            giveBack(delivery);
            return;
        }
        if (!delivery.settle()) {
            return; // acked already (a copy filed by the run that failed after it): RabbitMQ is done with it
        }
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

    /** Per queue this node consumes from RabbitMQ: how many calls wait for its messages now. */
    public Map<String, Integer> waitingCalls() {
        Map<String, Integer> waiting = new TreeMap<>();
        inboxes.forEach((queue, inbox) -> waiting.put(queue, inbox.waitingCalls()));
        return waiting;
    }

    /** Called on a timer: resumes consumers that calls wait on, releases those nobody used. */
    public void maintain() {
        for (Inbox inbox : inboxes.values()) {
            try {
                if (inbox.waitingCalls() > 0) {
                    inbox.consume();
                } else {
                    inbox.releaseIfIdle(idleNanos);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot resume consuming: {}", e.toString());
            }
        }
    }

    /** A message in flight under {@code id} was acked: if this node holds it as a partition's head, the partition moves on. */
    public void settled(String id) {
        for (Inbox inbox : inboxes.values()) {
            if (inbox instanceof PartitionedInbox partitioned && partitioned.settled(id)) {
                return;
            }
        }
    }

    /** Ids of the partition heads this node holds in flight. */
    public List<String> headsOut() {
        List<String> ids = new ArrayList<>();
        for (Inbox inbox : inboxes.values()) {
            if (inbox instanceof PartitionedInbox partitioned) {
                ids.addAll(partitioned.headsOut());
            }
        }
        return ids;
    }

    /**
     * Brings the heads this node holds in line with their in-flight rows: a head without a row was
     * settled (on any node), so its partition moves on; a head whose row is due is offered again in
     * place, as the next attempt. Returns the due heads whose retries are spent, for the route to
     * dead-letter.
     */
    public List<BusMessage> reconcileHeads(List<String> ids, List<Map<String, Object>> rows, long nowMicros) {
        Map<String, Map<String, Object>> byId = new HashMap<>();
        rows.forEach(row -> byId.put((String) row.get("id"), row));
        List<BusMessage> exhausted = new ArrayList<>();
        for (String id : ids) {
            Map<String, Object> row = byId.get(id);
            if (row == null) {
                settled(id);
            } else if (((Number) row.get("due_at")).longValue() <= nowMicros) {
                BusMessage head = messages.fromRow(row);
                if (settings.exhausted(head.getQueue(), head.getAttempt())) {
                    exhausted.add(head);
                } else {
                    partitioned(head.getQueue()).due(id, head.getAttempt() + 1);
                }
            }
        }
        return exhausted;
    }

    private PartitionedInbox partitioned(String queue) {
        return (PartitionedInbox) inbox(queue);
    }

    private Inbox inbox(String queue) {
        return inboxes.computeIfAbsent(queue, q -> {
            int partitions = settings.partitions(q);
            return partitions > 0
                    ? new PartitionedInbox(q, partitions, this::connection)
                    : new QueueInbox(q, this::connection, prefetch);
        });
    }

    private synchronized Connection connection() {
        if (connection == null || !connection.isOpen()) {
            try {
                connection = factory.newConnection("event-bus consumers");
                if (events != null) {
                    events.connected("consumers");
                    connection.addShutdownListener(signal -> {
                        if (!signal.isInitiatedByApplication()) {
                            events.disconnected("consumers", signal.getMessage());
                        }
                    });
                }
            } catch (IOException | TimeoutException e) {
                if (events != null && e instanceof TimeoutException) {
                    events.timedOut("consumers", "no connection within the connect timeout");
                }
                throw new IllegalStateException("RabbitMQ unreachable: " + e.getMessage(), e);
            }
        }
        return connection;
    }

    /**
     * The node stops (gRPC takes no new calls): the calls waiting for messages end now, a Pull with
     * what it has gathered, a stream with UNAVAILABLE, and none waits again. The channels stay open
     * until {@link #close}, after the calls have finished: a delivery being recorded is still acked
     * on its channel, not handed out again by RabbitMQ while its client has it.
     */
    public void stopWaiting() {
        stopping = true;
        inboxes.values().forEach(inbox -> inbox.stopWaiting(STOPPING));
    }

    /** Whether a call's wait ended because the node stops ({@link #stopWaiting}). */
    public static boolean stopping(Throwable error) {
        return error == STOPPING || error != null && error.getCause() == STOPPING;
    }

    @Override
    public synchronized void close() {
        inboxes.values().forEach(Inbox::close);
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
