package io.eventbus.message;

import static org.apache.camel.component.springrabbit.SpringRabbitMQConstants.MESSAGE_ID;

import com.github.f4b6a3.uuid.UuidCreator;
import com.google.protobuf.Empty;
import io.eventbus.broker.Delivery;
import io.eventbus.broker.Topology;
import io.eventbus.grpc.mq.DelayPublishRequest;
import io.eventbus.grpc.mq.DelayTopicPublishRequest;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.mq.TopicPublishRequest;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * Turns requests, AMQP messages and SQL rows into {@link BusMessage}s and back. Everything the
 * bus puts on an AMQP message is an ordinary property or header, so plain AMQP clients read it.
 */
public class Messages {

    /** AMQP header: delivery number, 1 on first delivery. */
    public static final String ATTEMPT = "x-eventbus-attempt";
    /** AMQP header: when the message was first accepted, µs since the epoch. */
    public static final String PUBLISHED_AT = "x-eventbus-published-at";
    /** AMQP header: when an unreceived message expires, µs since the epoch. */
    public static final String EXPIRES_AT = "x-eventbus-expires-at";
    /** AMQP header: the topic it was published to. */
    public static final String TOPIC = "x-eventbus-topic";
    /** AMQP header: the ordering key. */
    public static final String KEY = "x-eventbus-key";
    /** AMQP header: the partition of a partitioned queue. */
    public static final String PARTITION = "x-eventbus-partition";
    /** AMQP header prefix of the application headers ({@code x-eventbus-header-<name>}). */
    public static final String HEADER_PREFIX = "x-eventbus-header-";

    public BusMessage fromPublish(PublishRequest request) {
        return accepted(request.getQueue(), null, request.getData(), request.getExpirationSeconds(), 0);
    }

    public BusMessage fromDelayPublish(DelayPublishRequest request) {
        return accepted(request.getQueue(), null, request.getData(), request.getExpirationSeconds(), request.getDelaySeconds());
    }

    public BusMessage fromTopicPublish(TopicPublishRequest request) {
        return accepted(null, request.getTopic(), request.getData(), request.getExpirationSeconds(), 0);
    }

    public BusMessage fromTopicDelayPublish(DelayTopicPublishRequest request) {
        return accepted(null, request.getTopic(), request.getData(), request.getExpirationSeconds(), request.getDelaySeconds());
    }

    /** A message of the full API: exactly one of queue and topic is checked by the validator. */
    public BusMessage fromV1(io.eventbus.grpc.v1.PublishRequest request) {
        BusMessage message = accepted(emptyToNull(request.getQueue()), emptyToNull(request.getTopic()),
                request.getData().toByteArray(), request.getTtlSeconds(), request.getDelaySeconds());
        message.setKey(request.getKey());
        message.setHeaders(request.getHeadersMap());
        message.setIdempotencyKey(request.getIdempotencyKey());
        if (message.getQueue() != null && message.getTopic() != null) {
            message.setTopic(request.getTopic()); // both given: the validator refuses it
        }
        return message;
    }

    /**
     * The messages of concurrent unary publish calls, in the calls' order, each with the time its
     * call was accepted (not the time the combined run took it).
     */
    public List<BusMessage> fromCalls(List<PublishCall> calls) {
        return calls.stream().map(call -> {
            BusMessage message;
            if (call.request() instanceof PublishRequest request) {
                message = fromPublish(request);
            } else if (call.request() instanceof TopicPublishRequest request) {
                message = fromTopicPublish(request);
            } else if (call.request() instanceof io.eventbus.grpc.v1.PublishRequest request) {
                message = fromV1(request);
            } else {
                throw new IllegalArgumentException("not a publish request: " + call.request().getClass());
            }
            message.setPublishedAtMicros(call.acceptedAtMicros());
            message.setDueAtMicros(message.getPublishedAtMicros() + Micros.seconds(Math.max(0, message.getDelaySeconds())));
            return message;
        }).toList();
    }

    /** Marks a message of concurrent calls as refused (its call fails with the refusal); returns it. */
    public BusMessage refuse(BusMessage message, Exception refusal) {
        message.setRefusal(refusal);
        return message;
    }

    /** The messages not refused. */
    public List<BusMessage> unrefused(List<BusMessage> messages) {
        return messages.stream().filter(message -> message.getRefusal() == null).toList();
    }

    /** A new message the bus itself publishes (the system-event feed). */
    public BusMessage newMessage(String queue, byte[] data) {
        return accepted(queue, null, data, 0, 0);
    }

    /** Every message of a batch, in order. */
    public List<BusMessage> fromV1Batch(io.eventbus.grpc.v1.PublishBatchRequest request) {
        return request.getMessagesList().stream().map(this::fromV1).toList();
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static BusMessage accepted(String queue, String topic, String data, long ttlSeconds, long delaySeconds) {
        return accepted(queue, topic, data.getBytes(StandardCharsets.UTF_8), ttlSeconds, delaySeconds);
    }

    private static BusMessage accepted(String queue, String topic, byte[] data, long ttlSeconds, long delaySeconds) {
        BusMessage message = new BusMessage();
        message.setId(UuidCreator.getTimeOrderedEpoch().toString());
        message.setQueue(queue);
        message.setTopic(topic);
        message.setData(data);
        message.setTtlSeconds(ttlSeconds);
        message.setDelaySeconds(delaySeconds);
        message.setAttempt(1);
        message.setPublishedAtMicros(Micros.now());
        message.setDueAtMicros(message.getPublishedAtMicros() + Micros.seconds(Math.max(0, delaySeconds)));
        return message;
    }

    /** The exchange a message is published to: the topic exchange for a topic, else the direct one. */
    public String exchangeOf(BusMessage message) {
        return message.getTopic() != null ? Topology.TOPIC : Topology.DIRECT;
    }

    /** Its routing key: the topic, or the queue (a partition's {@code q.<i>}). */
    public String routingKeyOf(BusMessage message) {
        return message.getTopic() != null ? message.getTopic() : message.getAmqpQueue();
    }

    /**
     * The AMQP message: body = payload; persistent, id and timestamp as properties; attempt,
     * publish time, topic, key, partition and the application headers as x-eventbus-* headers; a
     * first publish with a TTL gets the AMQP expiration (and the time it expires, recorded on the
     * BusMessage too).
     */
    public org.springframework.amqp.core.Message toAmqp(BusMessage message) {
        MessageProperties properties = new MessageProperties();
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setContentType(MessageProperties.CONTENT_TYPE_BYTES);
        properties.setMessageId(message.getId());
        properties.setTimestamp(new Date(message.getPublishedAtMicros() / 1000));
        properties.setHeader(ATTEMPT, message.getAttempt());
        properties.setHeader(PUBLISHED_AT, message.getPublishedAtMicros());
        if (message.getTopic() != null) {
            properties.setHeader(TOPIC, message.getTopic());
        }
        if (message.getKey() != null) {
            properties.setHeader(KEY, message.getKey());
        }
        if (message.getPartition() >= 0) {
            properties.setHeader(PARTITION, message.getPartition());
        }
        message.getHeaders().forEach((name, value) -> properties.setHeader(HEADER_PREFIX + name, value));
        if (message.getTtlSeconds() > 0 && message.getAttempt() == 1) {
            long expiresAt = Micros.now() + Micros.seconds(message.getTtlSeconds());
            message.setExpiresAtMicros(expiresAt);
            properties.setExpiration(String.valueOf(message.getTtlSeconds() * 1000));
            properties.setHeader(EXPIRES_AT, expiresAt);
        }
        return new org.springframework.amqp.core.Message(message.getData(), properties);
    }

    /** A message as RabbitMQ delivered it (its id: see {@link #idOf}). */
    public BusMessage fromDelivery(Delivery delivery) {
        Map<String, Object> headers = delivery.properties().getHeaders();
        BusMessage message = new BusMessage();
        message.setId(idOf(delivery.properties().getMessageId(), header(headers, TOPIC) != null, delivery.queue()));
        message.setQueue(delivery.queue());
        message.setData(delivery.body());
        message.setPartition(delivery.partition());
        message.setAttempt(delivery.attempt() > 0 ? delivery.attempt() : (int) longHeader(headers, ATTEMPT, 1));
        long publishedAt = longHeader(headers, PUBLISHED_AT, 0);
        if (publishedAt == 0 && delivery.properties().getTimestamp() != null) {
            publishedAt = delivery.properties().getTimestamp().getTime() * 1000;
        }
        message.setPublishedAtMicros(publishedAt == 0 ? Micros.now() : publishedAt);
        // a TTL applies until the first delivery; a head redelivered in place does not expire
        message.setExpiresAtMicros(delivery.attempt() > 0 ? 0 : longHeader(headers, EXPIRES_AT, 0));
        Object key = header(headers, KEY);
        message.setKey(key == null ? null : key.toString());
        message.setHeaders(applicationHeaders(headers));
        message.setDelivery(delivery);
        message.setRecorded(header(headers, PUBLISHED_AT) != null);
        return message;
    }

    /** Messages as RabbitMQ delivered them, in order. */
    public List<BusMessage> fromDeliveries(List<Delivery> deliveries) {
        return deliveries.stream().map(this::fromDelivery).toList();
    }

    /**
     * The received messages that are not to be delivered: acked before, expired while they waited,
     * or undeliverable ({@link Validator#markUndeliverable}).
     */
    public List<BusMessage> filedAmong(List<BusMessage> received) {
        return received.stream().filter(m -> !isDeliverable(m)).toList();
    }

    /** The received messages to deliver (the others are filed). */
    public List<BusMessage> deliverable(List<BusMessage> received) {
        return received.stream().filter(Messages::isDeliverable).toList();
    }

    private static boolean isDeliverable(BusMessage message) {
        return !message.isAckedBefore() && !message.isExpired() && message.getUndeliverable() == null;
    }

    /** Why a filed message goes to the dead letters (none for one acked before): EXPIRED or DEAD. */
    public String filedReason(BusMessage message) {
        if (message.isAckedBefore()) {
            return null;
        }
        return message.getUndeliverable() != null ? "DEAD" : "EXPIRED";
    }

    /** The messages of partitioned queues. */
    public List<BusMessage> ofPartitions(List<BusMessage> messages) {
        return messages.stream().filter(m -> m.getPartition() >= 0).toList();
    }

    /**
     * The in-flight rows of delivered messages, for one batch insert (see deliver-messages), as
     * positional parameters: id, queue, partition_no, msg_key, headers, data (hex), attempt,
     * published_at, due_at.
     */
    public List<List<Object>> inFlightRows(List<BusMessage> delivered) {
        return delivered.stream().map(message -> java.util.Arrays.<Object>asList(message.getId(), message.getQueue(),
                message.getPartitionOrNull(), message.getKey(), message.getHeadersJson(), message.getDataHex(),
                message.getAttempt(), message.getPublishedAtMicros(), message.getDeadlineMicros())).toList();
    }

    /**
     * The application headers of an AMQP message: the bus's {@code x-eventbus-header-*} ones, and
     * the plain headers (not starting with "x-") a plain AMQP client set.
     */
    private static Map<String, String> applicationHeaders(Map<String, Object> headers) {
        if (headers == null || headers.isEmpty()) {
            return Map.of();
        }
        Map<String, String> application = new TreeMap<>();
        headers.forEach((name, value) -> {
            if (value == null) {
                return;
            }
            if (name.startsWith(HEADER_PREFIX)) {
                application.put(name.substring(HEADER_PREFIX.length()), value.toString());
            } else if (!name.startsWith("x-")) {
                application.put(name, value.toString());
            }
        });
        return application;
    }

    /**
     * A message RabbitMQ dead-lettered itself (its TTL lapsed in the queue, or it was rejected),
     * as the spring-rabbitmq consumer hands it over: it belongs to the queue it died in.
     */
    public BusMessage fromBrokerDeadLetter(Exchange exchange) {
        Message in = exchange.getMessage();
        BusMessage message = new BusMessage();
        String queue = in.getHeader("x-first-death-queue", String.class);
        Integer partition = in.getHeader(PARTITION, Integer.class);
        if (partition != null && queue != null && queue.endsWith("." + partition)) {
            // it died in partition q.<i>: its dead letters belong to q
            queue = queue.substring(0, queue.length() - ("." + partition).length());
        }
        message.setId(idOf(in.getHeader(MESSAGE_ID, String.class), in.getHeader(TOPIC) != null, queue));
        message.setQueue(queue);
        message.setData(in.getBody(byte[].class));
        Long attempt = in.getHeader(ATTEMPT, Long.class);
        message.setAttempt(attempt == null ? 1 : attempt.intValue());
        Long publishedAt = in.getHeader(PUBLISHED_AT, Long.class);
        message.setPublishedAtMicros(publishedAt == null ? Micros.now() : publishedAt);
        message.setKey(in.getHeader(KEY, String.class));
        // only the bus's own: the exchange also holds Camel's and RabbitMQ's (x-death, …) headers
        Map<String, Object> own = new TreeMap<>(in.getHeaders());
        own.keySet().removeIf(name -> !name.startsWith(HEADER_PREFIX));
        message.setHeaders(applicationHeaders(own));
        return message;
    }

    /**
     * The id of a message received from a queue: its AMQP message id (a new one for a plain AMQP
     * client's message without one); for a copy that came through a topic, {@code <id>@<queue>}, so
     * that each queue has, and acks, its own copy.
     */
    private static String idOf(String messageId, boolean viaTopic, String queue) {
        String id = messageId == null || messageId.isBlank() ? UuidCreator.getTimeOrderedEpoch().toString() : messageId;
        return viaTopic && !id.endsWith("@" + queue) ? id + "@" + queue : id;
    }

    /** How RabbitMQ's dead-lettering reason maps to a ledger status. */
    public String deadLetterStatus(String reason) {
        return "expired".equals(reason) ? "EXPIRED" : "DEAD";
    }

    /** The ids of rows read from the {@code scheduled} table. */
    public List<String> ids(List<Map<String, Object>> rows) {
        return rows.stream().map(row -> (String) row.get("id")).toList();
    }

    /** Rows of the {@code scheduled} table, in their order. */
    public List<BusMessage> fromRows(List<Map<String, Object>> rows) {
        return rows.stream().map(this::fromRow).toList();
    }

    /** The messages of a batch without an idempotency key: the delayed ones, or the others. */
    public List<BusMessage> withoutKey(List<BusMessage> batch, boolean delayed) {
        return batch.stream().filter(m -> !hasIdempotencyKey(m) && isDelayed(m) == delayed).toList();
    }

    /*
     * Tests of a message for the routes' filters and choices, in place of Simple's ${body.x}: a
     * property read there goes through the bean language, which copies the exchange twice and, for a
     * getter named by its property, looks through all of the class's methods on every evaluation.
     */

    /** Whether the message carries an idempotency key. */
    public boolean hasIdempotencyKey(BusMessage message) {
        return message.getIdempotencyKey() != null;
    }

    /** Whether the message waits in SQL until it is due. */
    public boolean isDelayed(BusMessage message) {
        return message.getDelaySeconds() > 0;
    }

    /** Whether the message goes to a queue rather than to a topic's exchange. */
    public boolean isForQueue(BusMessage message) {
        return message.getTopic() == null;
    }

    /** One message as a batch of one. */
    public List<BusMessage> single(BusMessage message) {
        return List.of(message);
    }

    /** The messages of a batch with an idempotency key. */
    public List<BusMessage> withKey(List<BusMessage> batch) {
        return batch.stream().filter(this::hasIdempotencyKey).toList();
    }

    /**
     * Rows of the {@code scheduled} table for delayed messages, for one batch insert, as positional
     * parameters: id, queue, topic, msg_key, headers, data (hex), attempt, ttl_seconds, published_at, due_at.
     */
    public List<List<Object>> scheduledRows(List<BusMessage> delayed) {
        return delayed.stream().map(message -> scheduledRow(message, message.getDueAtMicros())).toList();
    }

    /** A spooled message's row of the {@code scheduled} table (as {@link #scheduledRows}), due now. */
    public List<Object> spoolRow(BusMessage message, long now) {
        return scheduledRow(message, now);
    }

    private static List<Object> scheduledRow(BusMessage message, long dueAtMicros) {
        return java.util.Arrays.asList(message.getId(), message.getQueue(), message.getTopic(), message.getKey(),
                message.getHeadersJson(), message.getDataHex(), message.getAttempt(), message.getTtlSeconds(),
                message.getPublishedAtMicros(), dueAtMicros);
    }

    /** One value as the positional parameters of a statement with one {@code #}. */
    public List<Object> params(Object value) {
        return java.util.Collections.singletonList(value);
    }

    /** The ids of messages. */
    public List<String> idsOf(List<BusMessage> messages) {
        return messages.stream().map(BusMessage::getId).toList();
    }

    /** A row of the {@code scheduled} table. */
    public BusMessage fromRow(Map<String, Object> row) {
        BusMessage message = new BusMessage();
        message.setId((String) row.get("id"));
        message.setQueue((String) row.get("queue"));
        message.setTopic((String) row.get("topic"));
        message.setData((byte[]) row.get("data"));
        message.setAttempt(((Number) row.get("attempt")).intValue());
        message.setTtlSeconds(((Number) row.get("ttl_seconds")).longValue());
        message.setPublishedAtMicros(((Number) row.get("published_at")).longValue());
        message.setDueAtMicros(((Number) row.get("due_at")).longValue());
        message.setKey((String) row.get("msg_key"));
        message.setHeadersJson((String) row.get("headers"));
        Object partition = row.get("partition_no");
        message.setPartition(partition == null ? -1 : ((Number) partition).intValue());
        message.setRecorded(true);
        return message;
    }

    /** The copy that goes back to its queue for one more delivery (no TTL: it was received once). */
    public BusMessage nextAttempt(BusMessage message) {
        BusMessage next = copy(message);
        next.setAttempt(message.getAttempt() + 1);
        next.setTtlSeconds(0);
        return next;
    }

    /**
     * The copy that goes to {@code <queue>.dlq}: a queue like any other, where the message starts
     * again at attempt 1 (with the attempts it had left, a consumer of the dead letters that nacked
     * one would send it straight on to {@code <queue>.dlq.dlq}). The ledger keeps how far it came
     * ({@link #deadDetail}).
     */
    public BusMessage toDeadLetterQueue(BusMessage message) {
        BusMessage dead = copy(message);
        dead.setQueue(Topology.deadLetterQueueOf(message.getQueue()));
        dead.setPartition(-1);
        dead.setTtlSeconds(0);
        dead.setAttempt(1);
        return dead;
    }

    /** The ledger's detail of a message on its way to the dead letters: its queue and attempt there. */
    public String deadDetail(BusMessage message) {
        String detail = "from " + message.getQueue() + " at attempt " + message.getAttempt();
        return message.getUndeliverable() == null ? detail : detail + ": not deliverable, " + message.getUndeliverable();
    }

    private static BusMessage copy(BusMessage message) {
        BusMessage copy = new BusMessage();
        copy.setId(message.getId());
        copy.setQueue(message.getQueue());
        copy.setData(message.getData());
        copy.setAttempt(message.getAttempt());
        copy.setPublishedAtMicros(message.getPublishedAtMicros());
        copy.setKey(message.getKey());
        copy.setHeaders(message.getHeaders());
        copy.setPartition(message.getPartition());
        return copy;
    }

    public SubscribeResponse subscribeResponse(BusMessage message) {
        return SubscribeResponse.newBuilder()
                .setId(message.getId())
                .setQueue(message.getQueue())
                .setData(message.dataAsString())
                .build();
    }

    public Empty empty() {
        return Empty.getDefaultInstance();
    }

    private static Object header(Map<String, Object> headers, String name) {
        return headers == null ? null : headers.get(name);
    }

    private static long longHeader(Map<String, Object> headers, String name, long otherwise) {
        Object value = header(headers, name);
        if (value instanceof Number n) {
            return n.longValue();
        }
        if (value != null) {
            try {
                return Long.parseLong(value.toString());
            } catch (NumberFormatException e) {
                return otherwise;
            }
        }
        return otherwise;
    }
}
