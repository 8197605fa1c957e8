package io.eventbus.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventbus.broker.Topology;
import io.eventbus.message.BusMessage;
import io.eventbus.message.Micros;
import io.eventbus.metrics.BusMetrics;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of the system-event feed (DESIGN §6): connection events, a dead_letter event
 * for every message filed as DEAD or EXPIRED, and a periodic report per producer and consumer.
 * Events go to the {@code publish-system-event} route, which publishes them like any message
 * (spooled while RabbitMQ is down, so a disconnect is reported once the broker is back).
 */
public class SystemEvents {

    public static final String QUEUE = "eventbus.system-events";
    private static final Logger LOG = LoggerFactory.getLogger(SystemEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECENT = 10;

    private final ProducerTemplate template;
    private final io.eventbus.message.Messages messages;
    private final String endpoint;
    private final String node;
    private final int prefetch;
    private final BusMetrics metrics;
    private final Map<String, Recent> producers = new ConcurrentHashMap<>();
    private final Map<String, Recent> consumers = new ConcurrentHashMap<>();

    public SystemEvents(ProducerTemplate template, io.eventbus.message.Messages messages, String endpoint, String node,
                        int prefetch, BusMetrics metrics) {
        this.template = template;
        this.messages = messages;
        this.endpoint = endpoint;
        this.node = node;
        this.prefetch = prefetch;
        this.metrics = metrics;
    }

    /**
     * The last ids of one producer (a destination published to) or consumer (a queue delivered
     * from) on this node; its counts are the node's metrics ({@link BusMetrics#counts()}).
     */
    static final class Recent {
        final Deque<String> recent = new ArrayDeque<>();

        synchronized void remember(String id) {
            recent.addLast(id);
            if (recent.size() > RECENT) {
                recent.removeFirst();
            }
        }

        synchronized List<String> recent() {
            return new ArrayList<>(recent);
        }
    }

    /** An event as DESIGN §6 writes it; handed to the feed without waiting. */
    public void emit(String scheme, String id, String event, boolean status, Map<String, Object> data) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("scheme", scheme);
        body.put("id", id);
        body.put("event", event);
        body.put("status", status);
        body.put("time", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.MICROS)));
        body.put("data", data);
        try {
            template.asyncSendBody(endpoint, body);
        } catch (RuntimeException e) {
            LOG.warn("System event {} {} not queued: {}", scheme, event, e.toString());
        }
    }

    public void connected(String connection) {
        emit("connection", node + "/" + connection, "connect", true, Map.of("node", node));
    }

    public void disconnected(String connection, String cause) {
        emit("connection", node + "/" + connection, "disconnect", false, Map.of("node", node, "cause", String.valueOf(cause)));
    }

    /** RabbitMQ did not answer in time: no publisher confirm within the timeout, or no connection. */
    public void timedOut(String connection, String cause) {
        emit("connection", node + "/" + connection, "timeout", false, Map.of("node", node, "cause", String.valueOf(cause)));
    }

    /** A message filed into a dead-letter queue (reason DEAD or EXPIRED): never silently. */
    public void deadLettered(BusMessage message, String reason) {
        String queue = message.getQueue();
        if (queue == null || queue.startsWith(QUEUE)) {
            return;
        }
        consumer(Topology.queueOfDeadLetterQueue(queue));
        emit("consumer", node + "/" + queue, "dead_letter", false,
                Map.of("messageId", message.getId(), "queue", queue, "reason", reason, "attempt", message.getAttempt()));
    }

    public void published(BusMessage message) {
        String destination = message.getTopic() != null ? "topic:" + message.getTopic() : message.getQueue();
        if (QUEUE.equals(destination)) {
            return;
        }
        producers.computeIfAbsent(destination, d -> new Recent()).remember(message.getId());
    }

    public void publishedAll(List<BusMessage> messages) {
        messages.forEach(this::published);
    }

    public void deliveredAll(List<BusMessage> messages) {
        messages.forEach(this::delivered);
    }

    public void delivered(BusMessage message) {
        consumer(message.getQueue()).remember(message.getId());
    }

    private Recent consumer(String queue) {
        return consumers.computeIfAbsent(queue, q -> new Recent());
    }

    /** The periodic report: one event per producer and consumer of this node. */
    public void report() {
        Map<String, Map<String, Long>> counts = metrics.counts();
        producers.forEach((destination, recent) -> emit("producer", node + "/" + destination, "report", true,
                report(recent, 0, count(counts, destination, "published"), 0)));
        consumers.forEach((queue, recent) -> {
            long dead = count(counts, queue, "dead");
            emit("consumer", node + "/" + queue, "report", dead == 0,
                    report(recent, prefetch, count(counts, queue, "delivered"), dead));
        });
        emit("node", node, "report", true, Map.of("producers", producers.size(), "consumers", consumers.size(),
                "timeMicros", Micros.now()));
    }

    private static long count(Map<String, Map<String, Long>> counts, String queue, String what) {
        return counts.getOrDefault(queue, Map.of()).getOrDefault(what, 0L);
    }

    private static Map<String, Object> report(Recent recent, int maxMessageCount, long success, long discard) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("maxMessageCount", maxMessageCount);
        data.put("discardCount", discard);
        data.put("successCount", success);
        data.put("messageList", recent.recent());
        return data;
    }

    /** The message that carries an event on the feed. */
    public BusMessage toMessage(Map<String, Object> event) throws JsonProcessingException {
        return messages.newMessage(QUEUE, JSON.writeValueAsBytes(event));
    }
}
