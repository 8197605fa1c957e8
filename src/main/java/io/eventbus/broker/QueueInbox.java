package io.eventbus.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meeting point of one queue's RabbitMQ consumer and the subscribe calls waiting on it, on
 * this node. The consumer runs with manual ack and a prefetch limit, so at most {@code prefetch}
 * messages wait here, every one still unacked on the broker (a node that dies loses none). Calls
 * wait as futures, not threads: a message completes the oldest waiting call, or waits for the
 * next call. A queue nobody asked for a while is released: its channel closes and RabbitMQ gives
 * the buffered messages to other nodes.
 */
final class QueueInbox implements Inbox {

    private static final Logger LOG = LoggerFactory.getLogger(QueueInbox.class);

    private final String queue;
    private final Supplier<Connection> connection;
    private final int prefetch;
    private final Deque<Delivery> buffered = new ArrayDeque<>();
    private final Deque<CompletableFuture<Delivery>> waiting = new ArrayDeque<>();
    private Channel channel;
    private long lastUsedNanos = System.nanoTime();

    QueueInbox(String queue, Supplier<Connection> connection, int prefetch) {
        this.queue = queue;
        this.connection = connection;
        this.prefetch = prefetch;
    }

    @Override
    public synchronized CompletableFuture<Delivery> take() throws IOException {
        lastUsedNanos = System.nanoTime();
        Delivery delivery;
        while ((delivery = buffered.pollFirst()) != null) {
            if (delivery.channel().isOpen()) {
                return CompletableFuture.completedFuture(delivery);
            }
        }
        consume();
        CompletableFuture<Delivery> call = new CompletableFuture<>();
        waiting.addLast(call);
        return call;
    }

    @Override
    public synchronized java.util.List<Delivery> takeReady(int max) {
        lastUsedNanos = System.nanoTime();
        java.util.List<Delivery> ready = new java.util.ArrayList<>();
        Delivery delivery;
        while (ready.size() < max && (delivery = buffered.pollFirst()) != null) {
            if (delivery.channel().isOpen()) {
                ready.add(delivery);
            }
        }
        return ready;
    }

    @Override
    public synchronized void forget(CompletableFuture<Delivery> call) {
        waiting.remove(call);
    }

    /** A message arrived from the broker, or comes back unused from a call that went away. */
    synchronized void offer(Delivery delivery, boolean atFront) {
        if (!delivery.channel().isOpen()) {
            return; // its channel closed: the broker has it back already
        }
        CompletableFuture<Delivery> call;
        while ((call = waiting.pollFirst()) != null) {
            if (call.complete(delivery)) {
                // in use: a call that waited longer than the idle time now records its delivery,
                // which is acked on this channel; the channel must not be released under it
                lastUsedNanos = System.nanoTime();
                return;
            }
        }
        if (atFront) {
            buffered.addFirst(delivery);
        } else {
            buffered.addLast(delivery);
        }
    }

    @Override
    public void giveBack(Delivery delivery) {
        offer(delivery, true);
    }

    @Override
    public synchronized void consume() throws IOException {
        if (channel != null && channel.isOpen()) {
            return;
        }
        Channel fresh = connection.get().createChannel();
        fresh.basicQos(prefetch);
        fresh.basicConsume(queue, false, "event-bus:" + queue + ":" + System.nanoTime(), new DefaultConsumer(fresh) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                offer(new Delivery(queue, getChannel(), envelope.getDeliveryTag(), envelope.isRedeliver(), properties, body), false);
            }

            @Override
            public void handleShutdownSignal(String tag, ShutdownSignalException signal) {
                lost(getChannel());
            }

            @Override
            public void handleCancel(String tag) {
                lost(getChannel());
            }
        });
        channel = fresh;
        LOG.debug("Consuming queue {} with prefetch {}", queue, prefetch);
    }

    private synchronized void lost(Channel which) {
        if (channel == which) {
            channel = null;
            buffered.clear();
            LOG.info("Consumer of queue {} stopped; it resumes on next use", queue);
        }
    }

    @Override
    public synchronized int waitingCalls() {
        return waiting.size();
    }

    /**
     * Closes the channel if nobody waited for {@code idleNanos}, so that buffered messages go back to
     * the broker for other nodes. Returns true when released.
     */
    @Override
    public boolean releaseIfIdle(long idleNanos) {
        Channel toClose;
        synchronized (this) {
            if (channel == null || !waiting.isEmpty() || System.nanoTime() - lastUsedNanos < idleNanos) {
                return false;
            }
            toClose = channel;
            channel = null;
            buffered.clear();
        }
        close(toClose);
        return true;
    }

    @Override
    public synchronized java.util.List<CompletableFuture<Delivery>> takeWaiting() {
        java.util.List<CompletableFuture<Delivery>> calls = new java.util.ArrayList<>(waiting);
        waiting.clear();
        return calls;
    }

    @Override
    public void close() {
        Channel toClose;
        synchronized (this) {
            toClose = channel;
            channel = null;
            buffered.clear();
            waiting.forEach(call -> call.cancel(false));
            waiting.clear();
        }
        close(toClose);
    }

    private void close(Channel toClose) {
        if (toClose != null && toClose.isOpen()) {
            try {
                toClose.close();
            } catch (Exception e) {
                LOG.debug("Closing the channel of queue {}: {}", queue, e.toString());
            }
        }
    }
}
