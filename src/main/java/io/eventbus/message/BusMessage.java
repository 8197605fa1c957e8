package io.eventbus.message;

import java.nio.charset.StandardCharsets;

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

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getQueue() { return queue; }
    public void setQueue(String queue) { this.queue = queue; }
    public String getTopic() { return topic; }
    public void setTopic(String topic) { this.topic = topic; }
    public byte[] getData() { return data; }
    public void setData(byte[] data) { this.data = data; }
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
