package io.eventbus.store;

import io.eventbus.message.Micros;
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

    /** classic or quorum. */
    public String type(String queue) {
        return value(queue, "type", "queue-type");
    }

    /** When a message delivered now from this queue is due back unless acked. */
    public long deadlineMicros(String queue) {
        return Micros.now() + Micros.seconds(ackDeadlineSeconds(queue));
    }

    /** When a message nacked now on this queue is due again. */
    public long nackDueMicros(String queue) {
        return Micros.now() + Micros.seconds(nackDelaySeconds(queue));
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
