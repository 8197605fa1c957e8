package io.eventbus.broker;

import io.eventbus.BusException;
import io.eventbus.message.PartitionNames;
import io.eventbus.store.QueueSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpIOException;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.RabbitUtils;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/**
 * Declares the bus's exchanges, queues and bindings on RabbitMQ (DESIGN §4), each once per node
 * and connection: after a reconnect everything is declared again on next use, so a broker that
 * lost its definitions gets them back without a restart of the bus.
 */
public class Topology {

    public static final String DIRECT = "eventbus.direct";
    public static final String TOPIC = "eventbus.topic";
    public static final String DLX = "eventbus.dlx";
    /** Where RabbitMQ's own dead letters (expired, rejected) gather before the bus files them. */
    public static final String DEAD_LETTERS = "eventbus.dead-letters";
    public static final String DLQ_SUFFIX = ".dlq";
    /** The system-event feed: events live an hour and then go, never to a dead-letter queue. */
    public static final String SYSTEM_EVENTS = "eventbus.system-events";

    private static final Logger LOG = LoggerFactory.getLogger(Topology.class);

    private final RabbitAdmin admin;
    private final QueueSettings settings;
    /**
     * What this node declared on the current connection. A name is recorded only once its
     * declaration succeeded, and callers racing on the same name wait for that one declaration:
     * a message must never be published before its queue and binding exist, or RabbitMQ would
     * confirm it and drop it as unroutable.
     */
    private final Map<String, Boolean> declared = new ConcurrentHashMap<>();

    public Topology(CachingConnectionFactory connectionFactory, QueueSettings settings) {
        this.admin = new RabbitAdmin(connectionFactory);
        this.settings = settings;
        connectionFactory.addConnectionListener(connection -> declared.clear());
    }

    /** The exchanges and the dead-letter gathering queue; called at start and after reconnects. */
    public void ensureExchanges() {
        declared.computeIfAbsent("\nexchanges", key -> {
            admin.declareExchange(new DirectExchange(DIRECT, true, false));
            admin.declareExchange(new TopicExchange(TOPIC, true, false));
            admin.declareExchange(new TopicExchange(DLX, true, false));
            admin.declareQueue(new Queue(DEAD_LETTERS, true, false, false));
            admin.declareBinding(BindingBuilder.bind(new Queue(DEAD_LETTERS)).to(new TopicExchange(DLX)).with("#"));
            return Boolean.TRUE;
        });
    }

    /** Declares the queues of messages bound for queues (a topic needs only its exchange). */
    public void ensureQueuesOf(java.util.List<io.eventbus.message.BusMessage> messages) {
        messages.stream().filter(m -> m.getTopic() == null).map(io.eventbus.message.BusMessage::getQueue)
                .distinct().forEach(this::ensureQueue);
    }

    /** Declares the queue of one message bound for a queue. */
    public void ensureQueueOf(io.eventbus.message.BusMessage message) {
        ensureQueue(message.getQueue());
    }

    /**
     * A durable queue bound to eventbus.direct under its own name, dead-lettering to eventbus.dlx;
     * for a partitioned queue, its partitions q.&lt;i&gt;, each with a single active consumer.
     */
    public void ensureQueue(String queue) {
        if (SYSTEM_EVENTS.equals(queue)) {
            ensureSystemEvents();
            return;
        }
        int partitions = settings.partitions(queue);
        if (partitions > 0) {
            for (int i = 0; i < partitions; i++) {
                declare(PartitionNames.of(queue, i), queue, true);
            }
        } else {
            declare(queue, queue, false);
        }
    }

    private void ensureSystemEvents() {
        ensureExchanges();
        declared.computeIfAbsent(SYSTEM_EVENTS, key -> {
            admin.declareQueue(new Queue(SYSTEM_EVENTS, true, false, false, Map.of("x-message-ttl", 3_600_000)));
            admin.declareBinding(new Binding(SYSTEM_EVENTS, Binding.DestinationType.QUEUE, DIRECT, SYSTEM_EVENTS, null));
            return Boolean.TRUE;
        });
    }

    private void declare(String queue, String settingsOf, boolean singleActiveConsumer) {
        ensureExchanges();
        declared.computeIfAbsent(queue, key -> {
            try {
                Map<String, Object> arguments = new java.util.HashMap<>(
                        Map.of("x-dead-letter-exchange", DLX, "x-queue-type", settings.type(settingsOf)));
                if (singleActiveConsumer) {
                    arguments.put("x-single-active-consumer", true);
                }
                admin.declareQueue(new Queue(queue, true, false, false, arguments));
            } catch (AmqpIOException e) {
                if (!RabbitUtils.isMismatchedQueueArgs(e)) {
                    // the connection or channel went away during the declaration: the broker is
                    // unreachable, not the queue wrong (the publish is spooled, the call retried)
                    throw e;
                }
                LOG.warn("Cannot declare queue {}: {}", queue, e.getMessage());
                throw new BusException(io.grpc.Status.Code.FAILED_PRECONDITION, "queue " + queue
                        + " exists on RabbitMQ with other arguments than the bus declares (durable, "
                        + "x-dead-letter-exchange=" + DLX + "); delete or rename it");
            }
            admin.declareBinding(new Binding(queue, Binding.DestinationType.QUEUE, DIRECT, queue, null));
            return Boolean.TRUE;
        });
    }

    /**
     * What RabbitMQ says of a queue and its dead-letter queue: ready messages, consumers, dead
     * letters (0 for a queue that does not exist).
     */
    public Map<String, Long> depth(String queue) {
        int partitions = settings.partitions(queue);
        long ready = 0;
        long consumers = 0;
        for (String name : partitions > 0
                ? java.util.stream.IntStream.range(0, partitions).mapToObj(i -> PartitionNames.of(queue, i)).toList()
                : java.util.List.of(queue)) {
            var info = admin.getQueueInfo(name);
            ready += info == null ? 0 : info.getMessageCount();
            consumers += info == null ? 0 : info.getConsumerCount();
        }
        var dead = admin.getQueueInfo(deadLetterQueueOf(queue));
        return Map.of("ready", ready, "consumers", consumers, "partitions", (long) partitions,
                "dead", dead == null ? 0L : dead.getMessageCount());
    }

    /** The dead-letter queue of a queue (a queue like any other), declared. */
    public void ensureDeadLetterQueue(String queue) {
        ensureQueue(deadLetterQueueOf(queue));
    }

    public static String deadLetterQueueOf(String queue) {
        return queue + DLQ_SUFFIX;
    }

    /** The queue whose dead-letter queue this is; the name itself when it is no dead-letter queue. */
    public static String queueOfDeadLetterQueue(String queue) {
        return queue.endsWith(DLQ_SUFFIX) ? queue.substring(0, queue.length() - DLQ_SUFFIX.length()) : queue;
    }

    /** Binds a queue to a topic (routing key = topic, so AMQP patterns * and # work). */
    public void bindTopic(String queue, String topic) {
        ensureQueue(queue);
        declared.computeIfAbsent(queue + "\n" + topic, key -> {
            admin.declareBinding(new Binding(queue, Binding.DestinationType.QUEUE, TOPIC, topic, null));
            return Boolean.TRUE;
        });
    }
}
