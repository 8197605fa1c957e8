package io.eventbus.broker;

import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.message.BusMessage;
import io.eventbus.message.Messages;
import io.eventbus.message.Micros;
import io.eventbus.events.SystemEvents;
import java.util.List;
import org.springframework.amqp.AmqpResourceNotAvailableException;
import org.springframework.amqp.AmqpTimeoutException;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.support.RabbitExceptionTranslator;

/**
 * The one place that publishes to RabbitMQ: persistent messages, confirmed by the broker.
 * A batch goes out on one channel and waits for its confirms once, so a sweep of a thousand due
 * rows costs one confirm round trip instead of a thousand (camel-spring-rabbitmq's producer waits
 * for each message's confirm, which is why it is not used here). The messages of one batch reach
 * the broker in list order.
 *
 * <p>While RabbitMQ blocks the publishers' connection (a memory or disk alarm), nothing is sent:
 * a publish fails at once, so that the caller spools it, instead of waiting for confirms that
 * cannot come.
 */
public class BrokerPublisher {

    /** Most messages of concurrent single sends that go out together. */
    private static final int MAX_COMBINED = 128;

    private final RabbitTemplate template;
    private final Messages messages;
    private final long confirmTimeoutMillis;
    private final SystemEvents events;
    private volatile String blocked;
    private final Combiner<BusMessage, Long> concurrentSends = new Combiner<>(this::sendAll, MAX_COMBINED);

    public BrokerPublisher(RabbitTemplate template, Messages messages, long confirmTimeoutMillis, SystemEvents events) {
        this.template = template;
        this.messages = messages;
        this.confirmTimeoutMillis = confirmTimeoutMillis;
        this.events = events;
    }

    /** RabbitMQ blocks publishing on the publishers' connection (connection.blocked, with its reason). */
    public void blocked(String reason) {
        blocked = reason == null ? "blocked" : reason;
        events.timedOut("publishers", "RabbitMQ blocks publishing: " + blocked);
    }

    /** A new connection starts unblocked. */
    public void newConnection() {
        blocked = null;
    }

    /** RabbitMQ lifted the block (connection.unblocked). */
    public void unblocked() {
        if (blocked != null) {
            blocked = null;
            events.connected("publishers");
        }
    }

    /**
     * Sends one message; returns once RabbitMQ confirmed it, with the time of the send (µs). The
     * messages of concurrent calls go together: while one batch waits for its confirms, those
     * arriving meanwhile gather and go out as the next batch, with one confirm wait.
     */
    public long send(BusMessage message) {
        return concurrentSends.submit(message);
    }

    /**
     * Sends every message, in order, then waits for the broker to confirm them all. Throws an
     * {@link org.springframework.amqp.AmqpException} when any is nacked, the channel closes before
     * they come, or they do not come within the timeout (some may have arrived: the
     * caller's retry may publish them again, at least once). Returns the time of the first send (µs).
     */
    public long sendAll(List<BusMessage> batch) {
        long sentAt = Micros.now();
        if (batch.isEmpty()) {
            return sentAt;
        }
        String reason = blocked;
        if (reason != null) {
            throw new AmqpResourceNotAvailableException("RabbitMQ blocks publishing: " + reason);
        }
        try {
            template.invoke(operations -> {
                for (BusMessage message : batch) {
                    operations.send(messages.exchangeOf(message), messages.routingKeyOf(message), messages.toAmqp(message));
                }
                operations.waitForConfirmsOrDie(confirmTimeoutMillis);
                return null;
            });
        } catch (ShutdownSignalException e) {
            // the channel or connection closed before the confirms came (RabbitMQ closed it, or went
            // away): the client's own exception, which callers would not take for the broker's, so
            // they would fail the call instead of spooling the messages
            throw RabbitExceptionTranslator.convertRabbitAccessException(e);
        } catch (AmqpTimeoutException e) {
            events.timedOut("publishers", "no confirm of " + batch.size() + " message(s) within " + confirmTimeoutMillis + " ms");
            throw e;
        }
        return sentAt;
    }
}
