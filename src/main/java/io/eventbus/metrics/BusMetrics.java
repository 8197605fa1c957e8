package io.eventbus.metrics;

import io.eventbus.broker.Topology;
import io.eventbus.message.BusMessage;
import io.eventbus.message.Micros;
import io.eventbus.store.QueueSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The bus's own figures in the Micrometer registry that camel-micrometer uses (scraped at
 * {@code /metrics}), as histograms: per queue the publish latency (accepted to confirmed by
 * RabbitMQ), the delivery latency (accepted to handed to a consumer), and the ack latency
 * (handed to a consumer to acked); the lateness of delayed messages (due to sent to their
 * queue); the rows of each ledger batch. The routes call these at the step where each happens.
 */
public class BusMetrics {

    private static final Duration MIN = Duration.ofNanos(100_000);
    private static final Duration MAX = Duration.ofMinutes(10);

    private final MeterRegistry registry;
    private final QueueSettings settings;
    private final Map<String, Timer> publish = new ConcurrentHashMap<>();
    private final Map<String, Timer> deliver = new ConcurrentHashMap<>();
    private final Map<String, Timer> ack = new ConcurrentHashMap<>();
    private final Map<String, Counter> nacked = new ConcurrentHashMap<>();
    private final Map<String, Counter> dead = new ConcurrentHashMap<>();
    private final Map<io.grpc.Status.Code, Counter> refused = new ConcurrentHashMap<>();
    private final Timer lateness;
    private final DistributionSummary ledgerBatch;

    public BusMetrics(MeterRegistry registry, QueueSettings settings) {
        this.registry = registry;
        this.settings = settings;
        this.lateness = Timer.builder("eventbus.delay.lateness")
                .description("How long after its due time a delayed message was sent to its queue")
                .publishPercentileHistogram().minimumExpectedValue(MIN).maximumExpectedValue(MAX).register(registry);
        this.ledgerBatch = DistributionSummary.builder("eventbus.ledger.batch.rows")
                .description("Rows written to the ledger per batch")
                .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(10_000.0).register(registry);
    }

    /** A gRPC call turned away by authentication (UNAUTHENTICATED) or authorization (PERMISSION_DENIED). */
    public void refused(io.grpc.Status.Code code) {
        refused.computeIfAbsent(code, c -> Counter.builder("eventbus.auth.refused")
                .description("gRPC calls refused for their credentials, by status").tag("code", c.name())
                .register(registry)).increment();
    }

    private Timer timer(Map<String, Timer> timers, String name, String description, String queue) {
        String key = queue == null ? "" : queue;
        return timers.computeIfAbsent(key, q -> Timer.builder(name).description(description).tag("queue", q)
                .publishPercentileHistogram().minimumExpectedValue(MIN).maximumExpectedValue(MAX).register(registry));
    }

    private static String destination(BusMessage message) {
        return message.getQueue() != null ? message.getQueue() : "topic:" + message.getTopic();
    }

    private static void since(Timer timer, long micros) {
        timer.record(Math.max(0, Micros.now() - micros), TimeUnit.MICROSECONDS);
    }

    /** A message a client published, now confirmed by RabbitMQ. */
    public void published(BusMessage message) {
        since(timer(publish, "eventbus.publish", "From accepted to confirmed by RabbitMQ", destination(message)),
                message.getPublishedAtMicros());
    }

    public void publishedAll(List<BusMessage> messages) {
        messages.forEach(this::published);
    }

    /** Messages handed to a consumer. */
    public void delivered(List<BusMessage> messages) {
        for (BusMessage message : messages) {
            since(timer(deliver, "eventbus.deliver", "From accepted to handed to a consumer", message.getQueue()),
                    message.getPublishedAtMicros());
        }
    }

    /** Messages acked while in flight: the time since their delivery (their deadline less the ack deadline). */
    public void acked(BusMessage message) {
        long deliveredAt = message.getDueAtMicros() - TimeUnit.SECONDS.toMicros(settings.ackDeadlineSeconds(message.getQueue()));
        since(timer(ack, "eventbus.ack", "From handed to a consumer to acked", message.getQueue()), deliveredAt);
    }

    public void ackedAll(List<BusMessage> messages) {
        messages.forEach(this::acked);
    }

    /** A message nacked while in flight. */
    public void nacked(BusMessage message) {
        counter(nacked, "eventbus.nacked", "Messages nacked by a consumer", message.getQueue()).increment();
    }

    /** A message filed into its queue's dead-letter queue (retries spent or TTL lapsed): counted under its queue. */
    public void deadLettered(BusMessage filed) {
        counter(dead, "eventbus.dead.lettered", "Messages filed into the dead-letter queue",
                Topology.queueOfDeadLetterQueue(filed.getQueue())).increment();
    }

    private Counter counter(Map<String, Counter> counters, String name, String description, String queue) {
        return counters.computeIfAbsent(queue, q -> Counter.builder(name).description(description).tag("queue", q).register(registry));
    }

    /**
     * What this node counted per queue since it started: published (confirmed by RabbitMQ),
     * delivered, acked, nacked, dead (dead-lettered).
     */
    public Map<String, Map<String, Long>> counts() {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        publish.forEach((queue, timer) -> count(counts, queue, "published", timer.count()));
        deliver.forEach((queue, timer) -> count(counts, queue, "delivered", timer.count()));
        ack.forEach((queue, timer) -> count(counts, queue, "acked", timer.count()));
        nacked.forEach((queue, counter) -> count(counts, queue, "nacked", (long) counter.count()));
        dead.forEach((queue, counter) -> count(counts, queue, "dead", (long) counter.count()));
        return counts;
    }

    private static void count(Map<String, Map<String, Long>> counts, String queue, String what, long n) {
        counts.computeIfAbsent(queue, q -> {
            Map<String, Long> zero = new LinkedHashMap<>();
            for (String name : List.of("published", "delivered", "acked", "nacked", "dead")) {
                zero.put(name, 0L);
            }
            return zero;
        }).put(what, n);
    }

    /** Delayed messages that fell due, as they are sent to their queue. */
    public List<BusMessage> fallenDue(List<BusMessage> messages) {
        messages.forEach(message -> since(lateness, message.getDueAtMicros()));
        return messages;
    }

    /** A batch of ledger rows about to be written. */
    public void ledgerBatch(List<?> rows) {
        ledgerBatch.record(rows.size());
    }
}
