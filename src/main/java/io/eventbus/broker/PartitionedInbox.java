package io.eventbus.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.message.PartitionNames;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox of a partitioned queue q: one slot per partition q.&lt;i&gt;, each a single-active
 * consumer with prefetch 1, so the broker hands this node a partition's messages one at a time,
 * in order, and only while this node is the partition's active consumer.
 *
 * <p>A partition's head stays unacked on the broker while it is delivered and in flight: the
 * broker sends the partition's next message only once the head is settled (acked, or filed as a
 * dead letter), so one message of a partition is in flight at a time. A nacked head, or one whose
 * ack deadline passed, is offered again in place, before anything behind it. If this node dies,
 * the broker gives the head, first in line, to the next active consumer.
 */
final class PartitionedInbox implements Inbox {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionedInbox.class);

    /** Where a slot's head is in its life on this node. */
    enum State { NEW, TAKEN, OUT, DUE }

    private final String queue;
    private final Supplier<Connection> connection;
    private final Slot[] slots;
    private final Deque<CompletableFuture<Delivery>> waiting = new ArrayDeque<>();
    private int next;
    private long lastUsedNanos = System.nanoTime();

    PartitionedInbox(String queue, int partitions, Supplier<Connection> connection) {
        this.queue = queue;
        this.connection = connection;
        this.slots = new Slot[partitions];
        for (int i = 0; i < partitions; i++) {
            slots[i] = new Slot(i);
        }
    }

    private final class Slot {
        final int partition;
        Channel channel;
        Delivery head;
        State state;
        String headId;
        int nextAttempt;

        Slot(int partition) {
            this.partition = partition;
        }

        /** The head as it is offered now: as received, or again as delivery number nextAttempt. */
        Delivery offered() {
            return state == State.DUE ? head.again(nextAttempt) : head;
        }

        boolean offerable() {
            return head != null && (state == State.NEW || state == State.DUE);
        }

        void clear() {
            head = null;
            state = null;
            headId = null;
        }
    }

    @Override
    public synchronized CompletableFuture<Delivery> take() throws IOException {
        lastUsedNanos = System.nanoTime();
        consume();
        Delivery delivery = pick();
        if (delivery != null) {
            return CompletableFuture.completedFuture(delivery);
        }
        CompletableFuture<Delivery> call = new CompletableFuture<>();
        waiting.addLast(call);
        return call;
    }

    @Override
    public synchronized List<Delivery> takeReady(int max) {
        List<Delivery> ready = new ArrayList<>();
        Delivery delivery;
        while (ready.size() < max && (delivery = pick()) != null) {
            ready.add(delivery);
        }
        return ready;
    }

    /** The next offerable head, round robin over the partitions; marks it taken. */
    private Delivery pick() {
        for (int i = 0; i < slots.length; i++) {
            Slot slot = slots[(next + i) % slots.length];
            if (slot.offerable()) {
                next = (slot.partition + 1) % slots.length;
                Delivery offered = slot.offered();
                slot.state = State.TAKEN;
                return offered;
            }
        }
        return null;
    }

    /** Hands offerable heads to waiting calls. */
    private void signal() {
        while (!waiting.isEmpty()) {
            CompletableFuture<Delivery> call = waiting.peekFirst();
            if (call.isDone()) {
                waiting.pollFirst();
                continue;
            }
            Delivery delivery = pick();
            if (delivery == null) {
                return;
            }
            waiting.pollFirst();
            if (!call.complete(delivery)) {
                giveBack(delivery);
            }
        }
    }

    @Override
    public synchronized void forget(CompletableFuture<Delivery> call) {
        waiting.remove(call);
    }

    @Override
    public synchronized void giveBack(Delivery delivery) {
        Slot slot = slots[delivery.partition()];
        if (slot.head != null && slot.head.deliveryTag() == delivery.deliveryTag() && slot.head.channel() == delivery.channel()
                && slot.state == State.TAKEN) {
            slot.state = delivery.attempt() > 0 ? State.DUE : State.NEW;
            signal();
        }
    }

    /** The head went out to a client, in flight under {@code id}: held until settled. */
    synchronized void handedOver(Delivery delivery, String id) {
        Slot slot = slots[delivery.partition()];
        if (slot.head != null && slot.head.deliveryTag() == delivery.deliveryTag() && slot.head.channel() == delivery.channel()) {
            slot.state = State.OUT;
            slot.headId = id;
        }
    }

    /** The head was settled (acked, dead-lettered, or filed without delivery): the partition moves on. */
    synchronized void release(Delivery delivery) {
        Slot slot = slots[delivery.partition()];
        if (slot.head != null && slot.head.deliveryTag() == delivery.deliveryTag() && slot.head.channel() == delivery.channel()) {
            ackHead(slot);
        }
    }

    /** The head in flight under {@code id} was settled; true when this inbox held it. */
    synchronized boolean settled(String id) {
        for (Slot slot : slots) {
            if (id.equals(slot.headId)) {
                ackHead(slot);
                return true;
            }
        }
        return false;
    }

    /** The head in flight under {@code id} is due again (nacked, deadline passed): offered in place. */
    synchronized void due(String id, int nextAttempt) {
        for (Slot slot : slots) {
            if (id.equals(slot.headId) && slot.state == State.OUT) {
                slot.state = State.DUE;
                slot.nextAttempt = nextAttempt;
                signal();
                return;
            }
        }
    }

    /** Ids of the heads in flight from this node. */
    synchronized List<String> headsOut() {
        List<String> ids = new ArrayList<>();
        for (Slot slot : slots) {
            if (slot.state == State.OUT) {
                ids.add(slot.headId);
            }
        }
        return ids;
    }

    private void ackHead(Slot slot) {
        try {
            slot.head.channel().basicAck(slot.head.deliveryTag(), false);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ack to RabbitMQ of the head of {} failed ({}); it comes again", PartitionNames.of(queue, slot.partition), e.toString());
        }
        slot.clear();
    }

    @Override
    public synchronized void consume() throws IOException {
        for (Slot slot : slots) {
            if (slot.channel != null && slot.channel.isOpen()) {
                continue;
            }
            Channel fresh = connection.get().createChannel();
            fresh.basicQos(1);
            String amqpQueue = PartitionNames.of(queue, slot.partition);
            fresh.basicConsume(amqpQueue, false, "event-bus:" + amqpQueue + ":" + System.nanoTime(), new DefaultConsumer(fresh) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    arrived(slot, new Delivery(queue, slot.partition, getChannel(), envelope.getDeliveryTag(),
                            envelope.isRedeliver(), properties, body, 0));
                }

                @Override
                public void handleShutdownSignal(String tag, ShutdownSignalException signal) {
                    lost(slot, getChannel());
                }

                @Override
                public void handleCancel(String tag) {
                    lost(slot, getChannel());
                }
            });
            slot.channel = fresh;
        }
    }

    private synchronized void arrived(Slot slot, Delivery delivery) {
        slot.head = delivery;
        slot.state = State.NEW;
        slot.headId = null;
        signal();
    }

    private synchronized void lost(Slot slot, Channel which) {
        if (slot.channel == which) {
            slot.channel = null;
            slot.clear(); // the broker has the head back
        }
    }

    @Override
    public synchronized int waitingCalls() {
        return waiting.size();
    }

    /**
     * Closes idle slots (no head, or a head nobody took) so that another node may become the
     * partition's active consumer. A slot whose head is out stays: releasing it would let the
     * partition's head be delivered twice at once.
     */
    @Override
    public boolean releaseIfIdle(long idleNanos) {
        List<Channel> toClose = new ArrayList<>();
        synchronized (this) {
            if (!waiting.isEmpty() || System.nanoTime() - lastUsedNanos < idleNanos) {
                return false;
            }
            for (Slot slot : slots) {
                if (slot.channel != null && (slot.head == null || slot.state == State.NEW)) {
                    toClose.add(slot.channel);
                    slot.channel = null;
                    slot.clear();
                }
            }
        }
        toClose.forEach(PartitionedInbox::close);
        return !toClose.isEmpty();
    }

    @Override
    public synchronized java.util.List<CompletableFuture<Delivery>> takeWaiting() {
        java.util.List<CompletableFuture<Delivery>> calls = new java.util.ArrayList<>(waiting);
        waiting.clear();
        return calls;
    }

    @Override
    public void close() {
        List<Channel> toClose = new ArrayList<>();
        synchronized (this) {
            for (Slot slot : slots) {
                if (slot.channel != null) {
                    toClose.add(slot.channel);
                    slot.channel = null;
                }
                slot.clear();
            }
            waiting.forEach(call -> call.cancel(false));
            waiting.clear();
        }
        toClose.forEach(PartitionedInbox::close);
    }

    private static void close(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (Exception e) {
            LOG.debug("Closing a partition channel: {}", e.toString());
        }
    }
}
