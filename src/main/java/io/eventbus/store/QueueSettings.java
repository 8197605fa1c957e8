package io.eventbus.store;

import io.eventbus.message.Micros;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Per-queue settings (DESIGN §5): {@code eventbus.queues.<name>.<key>} where given, else the
 * bus-wide {@code eventbus.<key>}. Looked up once per queue and key, through Camel's properties,
 * so the environment and -D flags override as everywhere else.
 */
public class QueueSettings {

    private final PropertiesComponent properties;
    private final Map<String, String> cache = new ConcurrentHashMap<>();

    public QueueSettings(PropertiesComponent properties) {
        this.properties = properties;
    }

    public int retryTimes(String queue) {
        return Integer.parseInt(value(queue, "retry-times"));
    }

    public long ackDeadlineSeconds(String queue) {
        return Long.parseLong(value(queue, "ack-deadline-seconds"));
    }

    public long nackDelaySeconds(String queue) {
        return Long.parseLong(value(queue, "nack-delay-seconds"));
    }

    /** Partitions of the queue (eventbus.queues.&lt;name&gt;.partitions); 0 for a plain queue. */
    public int partitions(String queue) {
        return Integer.parseInt(cache.computeIfAbsent(queue + "\npartitions", k ->
                properties.resolveProperty("eventbus.queues." + queue + ".partitions").orElse("0")));
    }

    /** classic or quorum. */
    public String type(String queue) {
        return value(queue, "type", "queue-type");
    }

    /**
     * Sets when a message delivered now is due back unless acked: after {@code ackDeadlineSeconds}
     * when the caller asked for a deadline (Pull, Subscribe), else after the queue's.
     */
    private void setDeadline(io.eventbus.message.BusMessage message, Integer ackDeadlineSeconds) {
        long seconds = ackDeadlineSeconds != null && ackDeadlineSeconds > 0 ? ackDeadlineSeconds : ackDeadlineSeconds(message.getQueue());
        message.setDeadlineMicros(Micros.now() + Micros.seconds(seconds));
    }

    /** Sets each delivered message's deadline (see {@link #setDeadline}). */
    public void setDeadlines(List<io.eventbus.message.BusMessage> messages, Integer ackDeadlineSeconds) {
        messages.forEach(message -> setDeadline(message, ackDeadlineSeconds));
    }

    /** When a message nacked now is due again: after {@code delaySeconds} when given, else the queue's nack delay. */
    public long nackDueMicros(String queue, Integer delaySeconds) {
        return Micros.now() + Micros.seconds(delaySeconds != null ? delaySeconds : nackDelaySeconds(queue));
    }

    /** True when a message that has had {@code attempt} deliveries may not be delivered again. */
    public boolean exhausted(String queue, int attempt) {
        return attempt - 1 >= retryTimes(queue);
    }

    private String value(String queue, String key) {
        return value(queue, key, key);
    }

    private String value(String queue, String perQueueKey, String globalKey) {
        return cache.computeIfAbsent(queue + "\n" + perQueueKey, k ->
                properties.resolveProperty("eventbus.queues." + queue + "." + perQueueKey)
                        .or(() -> properties.resolveProperty("eventbus." + globalKey))
                        .orElseThrow(() -> new IllegalStateException("no setting eventbus." + globalKey)));
    }
}
