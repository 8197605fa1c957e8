package io.eventbus.message;

import io.eventbus.BusException;
import java.util.regex.Pattern;

/**
 * Checks what callers send before anything reaches RabbitMQ or SQL (DESIGN §2, §4). Each failure
 * is a {@link BusException} whose message says what was wrong and what is allowed.
 */
public class Validator {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    /** An AMQP topic pattern: words of [A-Za-z0-9_:-] or '*' or '#', separated by '.'. */
    private static final Pattern TOPIC_PATTERN = Pattern.compile("(\\*|#|[A-Za-z0-9_:-]+)(\\.(\\*|#|[A-Za-z0-9_:-]+))*");
    private static final int MAX_HEADERS = 64;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_KEY_LENGTH = 255;

    private final long maxMessageBytes;
    private final long maxDelaySeconds;
    private final int maxBatch;
    private final long maxWaitSeconds;
    private final int maxInFlight;

    public Validator(long maxMessageBytes, long maxDelaySeconds, int maxBatch, long maxWaitSeconds, int maxInFlight) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxDelaySeconds = maxDelaySeconds;
        this.maxBatch = maxBatch;
        this.maxWaitSeconds = maxWaitSeconds;
        this.maxInFlight = maxInFlight;
    }

    /** A queue or topic name: 1-200 characters of [A-Za-z0-9._:-], no "amq." prefix. */
    public String name(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw BusException.invalid(what + " name is empty");
        }
        if (!NAME.matcher(name).matches()) {
            throw BusException.invalid(what + " name '" + shorten(name)
                    + "' is invalid: use 1-200 characters of A-Z a-z 0-9 . _ : -");
        }
        if (name.startsWith("amq.")) {
            throw BusException.invalid(what + " name '" + name + "' is invalid: the prefix amq. is reserved by RabbitMQ");
        }
        return name;
    }

    /** A message about to be published or stored: destination, payload size, delay. */
    public BusMessage message(BusMessage message) {
        if (message.getTopic() != null && message.getQueue() != null) {
            throw BusException.invalid("both queue and topic are set: give one of them");
        }
        if (message.getTopic() == null && message.getQueue() == null) {
            throw BusException.invalid("neither queue nor topic is set: give one of them");
        }
        if (message.getTopic() != null) {
            name(message.getTopic(), "topic");
        } else {
            name(message.getQueue(), "queue");
        }
        headers(message);
        if (message.getData() == null || message.getData().length == 0) {
            throw BusException.invalid("data is empty: a message needs a payload");
        }
        if (message.getData().length > maxMessageBytes) {
            throw BusException.tooLarge("data has " + message.getData().length + " bytes, more than the limit of "
                    + maxMessageBytes + " (eventbus.max-message-bytes)");
        }
        if (message.getDelaySeconds() < 0 || message.getDelaySeconds() > maxDelaySeconds) {
            throw BusException.invalid("delay of " + Long.toUnsignedString(message.getDelaySeconds())
                    + " s is beyond the maximum of " + maxDelaySeconds + " s (eventbus.max-delay-seconds)");
        }
        if (message.getTtlSeconds() < 0 || message.getTtlSeconds() > Integer.MAX_VALUE / 1000) {
            throw BusException.invalid("expiration of " + Long.toUnsignedString(message.getTtlSeconds())
                    + " s is out of range (at most " + Integer.MAX_VALUE / 1000 + " s)");
        }
        return message;
    }

    private void headers(BusMessage message) {
        if (message.getKey() != null && message.getKey().length() > MAX_KEY_LENGTH) {
            throw BusException.invalid("key is longer than " + MAX_KEY_LENGTH + " characters");
        }
        if (message.getIdempotencyKey() != null && message.getIdempotencyKey().length() > MAX_KEY_LENGTH) {
            throw BusException.invalid("idempotency_key is longer than " + MAX_KEY_LENGTH + " characters");
        }
        if (message.getHeaders().size() > MAX_HEADERS) {
            throw BusException.invalid(message.getHeaders().size() + " headers: at most " + MAX_HEADERS + " are allowed");
        }
        int bytes = 0;
        for (var header : message.getHeaders().entrySet()) {
            if (header.getKey().isEmpty()) {
                throw BusException.invalid("a header has an empty name");
            }
            bytes += header.getKey().length() + header.getValue().length();
        }
        if (bytes > MAX_HEADER_BYTES) {
            throw BusException.invalid("headers take " + bytes + " characters: at most " + MAX_HEADER_BYTES + " are allowed");
        }
    }

    /** Every message of a batch, before any is published; the message names the bad one. */
    public java.util.List<BusMessage> messages(java.util.List<BusMessage> messages) {
        if (messages.isEmpty()) {
            throw BusException.invalid("the batch has no messages");
        }
        if (messages.size() > maxBatch) {
            throw BusException.invalid("the batch has " + messages.size() + " messages: at most " + maxBatch
                    + " are allowed (eventbus.max-batch)");
        }
        for (int i = 0; i < messages.size(); i++) {
            try {
                message(messages.get(i));
            } catch (BusException e) {
                throw new BusException(e.code(), "messages[" + i + "]: " + e.getMessage());
            }
        }
        return messages;
    }

    /** Ids of one ack, nack or extension: 1 to eventbus.max-batch, none empty. */
    public java.util.List<String> ids(java.util.List<String> ids) {
        if (ids.isEmpty()) {
            throw BusException.invalid("ids is empty: pass the ids of delivered messages");
        }
        if (ids.size() > maxBatch) {
            throw BusException.invalid(ids.size() + " ids: at most " + maxBatch + " are allowed (eventbus.max-batch)");
        }
        ids.forEach(this::id);
        return ids;
    }

    /** A pull's limits. */
    public io.eventbus.grpc.v1.PullRequest pull(io.eventbus.grpc.v1.PullRequest request) {
        if (request.getMaxMessages() > maxBatch) {
            throw BusException.invalid("max_messages " + request.getMaxMessages() + " is over the limit of " + maxBatch
                    + " (eventbus.max-batch)");
        }
        if (request.getWaitSeconds() > maxWaitSeconds) {
            throw BusException.invalid("wait_seconds " + request.getWaitSeconds() + " is over the limit of " + maxWaitSeconds
                    + " (eventbus.max-wait-seconds)");
        }
        seconds(request.getAckDeadlineSeconds(), "ack_deadline_seconds");
        return request;
    }

    /** A stream's limits. */
    public io.eventbus.grpc.v1.SubscribeRequest subscribe(io.eventbus.grpc.v1.SubscribeRequest request) {
        if (request.getMaxInFlight() > maxInFlight) {
            throw BusException.invalid("max_in_flight " + request.getMaxInFlight() + " is over the limit of " + maxInFlight
                    + " (eventbus.max-in-flight)");
        }
        seconds(request.getAckDeadlineSeconds(), "ack_deadline_seconds");
        return request;
    }

    /** An extension of ack deadlines. */
    public io.eventbus.grpc.v1.ExtendDeadlineRequest extension(io.eventbus.grpc.v1.ExtendDeadlineRequest request) {
        ids(request.getIdsList());
        if (request.getSeconds() == 0) {
            throw BusException.invalid("seconds is 0: give the new deadline in seconds from now");
        }
        seconds(request.getSeconds(), "seconds");
        return request;
    }

    /** A nack of many ids, with an optional delay. */
    public io.eventbus.grpc.v1.NackRequest nack(io.eventbus.grpc.v1.NackRequest request) {
        ids(request.getIdsList());
        seconds(request.getDelaySeconds(), "delay_seconds");
        return request;
    }

    private void seconds(long seconds, String field) {
        if (seconds > maxDelaySeconds) {
            throw BusException.invalid(field + " " + seconds + " is beyond the maximum of " + maxDelaySeconds
                    + " s (eventbus.max-delay-seconds)");
        }
    }

    /** An AMQP topic pattern for Bind. */
    public String pattern(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            throw BusException.invalid("pattern is empty: give an AMQP topic pattern such as orders.* or #.eu");
        }
        if (pattern.length() > 200 || !TOPIC_PATTERN.matcher(pattern).matches()) {
            throw BusException.invalid("pattern '" + shorten(pattern) + "' is invalid: words of A-Z a-z 0-9 _ : - "
                    + "or * (one word) or # (any words), separated by '.', at most 200 characters");
        }
        return pattern;
    }

    /** A message id as given to ack or nack. */
    public String id(String id) {
        if (id == null || id.isBlank()) {
            throw BusException.invalid("id is empty: pass the id a subscribe call returned");
        }
        if (id.length() > 255) {
            throw BusException.invalid("id is longer than 255 characters: no message has such an id");
        }
        return id;
    }

    private static String shorten(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }
}
