package io.eventbus.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * One message as the routes carry it: where it goes, what it holds, and where it is in its
 * life. Getters and setters so that routes and SQL parameters can read it as {@code ${body.queue}}.
 */
public class BusMessage {

    private String id;
    private String queue;
    private String topic;
    private byte[] data;
    private long ttlSeconds;
    private long delaySeconds;
    private int attempt = 1;
    private long publishedAtMicros;
    private long dueAtMicros;
    private long expiresAtMicros;
    private String key;
    private Map<String, String> headers = Map.of();
    private String idempotencyKey;
    private boolean duplicate;
    private long deadlineMicros;
    private int partition = -1;
    private io.eventbus.broker.Delivery delivery;
    private boolean ackedBefore;
    private boolean recorded;
    private Exception refusal;
    private String undeliverable;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Why a message received from RabbitMQ cannot be delivered (one a plain AMQP client sent, over
     * what the in-flight row or a client takes), or null: it is filed in the dead letters instead.
     */
    public String getUndeliverable() { return undeliverable; }
    public void setUndeliverable(String undeliverable) { this.undeliverable = undeliverable; }

    /** Why the bus refused this message of a combined run (its call fails with it alone), or null. */
    public Exception getRefusal() { return refusal; }
    public void setRefusal(Exception refusal) { this.refusal = refusal; }
    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getQueue() { return queue; }
    public void setQueue(String queue) { this.queue = queue; }
    public String getTopic() { return topic; }
    public void setTopic(String topic) { this.topic = topic; }
    public byte[] getData() { return data; }
    public void setData(byte[] data) { this.data = data; }

    /**
     * The payload as hexadecimal text, for SQL statements that store it with {@code UNHEX(?)}: the
     * MySQL driver writes a byte[] parameter into a client-side statement one byte at a time
     * (twice for a batch), a String of hex digits in one copy.
     */
    public String getDataHex() { return data == null ? null : java.util.HexFormat.of().formatHex(data); }
    public long getTtlSeconds() { return ttlSeconds; }
    public void setTtlSeconds(long ttlSeconds) { this.ttlSeconds = ttlSeconds; }
    public long getDelaySeconds() { return delaySeconds; }
    public void setDelaySeconds(long delaySeconds) { this.delaySeconds = delaySeconds; }
    public int getAttempt() { return attempt; }
    public void setAttempt(int attempt) { this.attempt = attempt; }
    public long getPublishedAtMicros() { return publishedAtMicros; }
    public void setPublishedAtMicros(long publishedAtMicros) { this.publishedAtMicros = publishedAtMicros; }
    public long getDueAtMicros() { return dueAtMicros; }
    public void setDueAtMicros(long dueAtMicros) { this.dueAtMicros = dueAtMicros; }

    public long getExpiresAtMicros() { return expiresAtMicros; }
    public void setExpiresAtMicros(long expiresAtMicros) { this.expiresAtMicros = expiresAtMicros; }

    /** Ordering/partition key, or null. */
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key == null || key.isEmpty() ? null : key; }
    /** Application headers (never null). */
    public Map<String, String> getHeaders() { return headers; }
    public void setHeaders(Map<String, String> headers) { this.headers = headers == null ? Map.of() : headers; }
    public String getIdempotencyKey() { return idempotencyKey; }
    public void setIdempotencyKey(String idempotencyKey) {
        this.idempotencyKey = idempotencyKey == null || idempotencyKey.isEmpty() ? null : idempotencyKey;
    }
    /** True when an earlier publish with the same idempotency key took this message already. */
    public boolean isDuplicate() { return duplicate; }
    public void setDuplicate(boolean duplicate) { this.duplicate = duplicate; }
    /** When a delivered message is due back unless acked, µs. */
    public long getDeadlineMicros() { return deadlineMicros; }
    public void setDeadlineMicros(long deadlineMicros) { this.deadlineMicros = deadlineMicros; }

    /** The broker delivery it came from, while this node still holds it unacked; null otherwise. */
    public io.eventbus.broker.Delivery getDelivery() { return delivery; }
    public void setDelivery(io.eventbus.broker.Delivery delivery) { this.delivery = delivery; }

    /** True when the ledger holds its payload already (read back from SQL, or a delivery of a message the bus published). */
    public boolean isRecorded() { return recorded; }
    public void setRecorded(boolean recorded) { this.recorded = recorded; }

    /** True when a delivered copy's id was acked already (it is filed, not delivered again). */
    public boolean isAckedBefore() { return ackedBefore; }
    public void setAckedBefore(boolean ackedBefore) { this.ackedBefore = ackedBefore; }

    /** The partition of a partitioned queue it belongs to; -1 for a plain queue. */
    public int getPartition() { return partition; }
    public void setPartition(int partition) { this.partition = partition; }
    /** The partition for SQL: null for a plain queue. */
    public Integer getPartitionOrNull() { return partition < 0 ? null : partition; }

    /** The RabbitMQ queue it goes to: {@code <queue>.<partition>} for a partition, else the queue. */
    public String getAmqpQueue() {
        return partition < 0 ? queue : PartitionNames.of(queue, partition);
    }

    /** The headers as JSON for SQL, null when there are none. */
    public String getHeadersJson() {
        if (headers.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(new TreeMap<>(headers));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void setHeadersJson(String json) {
        if (json == null || json.isEmpty()) {
            headers = Map.of();
            return;
        }
        try {
            headers = JSON.readValue(json, new TypeReference<TreeMap<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored headers are not JSON: " + json, e);
        }
    }

    /** True once its time to live lapsed before anyone received it. */
    public boolean isExpired() {
        return expiresAtMicros > 0 && Micros.now() > expiresAtMicros;
    }

    /** The queue or topic this message is addressed to, for messages and logs. */
    public String getDestination() {
        return topic != null ? "topic " + topic : "queue " + queue;
    }

    public String dataAsString() {
        return data == null ? "" : new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "BusMessage[" + id + " " + getDestination() + " attempt " + attempt + "]";
    }
}
