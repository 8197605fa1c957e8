package io.eventbus.message;

import io.eventbus.BusException;
import java.util.regex.Pattern;

/**
 * Checks what callers send before anything reaches RabbitMQ or SQL (DESIGN §2, §4). Each failure
 * is a {@link BusException} whose message says what was wrong and what is allowed: malformed input
 * (a bad name, empty data, a bad pattern) is INVALID_ARGUMENT; input over a configured limit
 * (payload, batch, headers, max_in_flight) is RESOURCE_EXHAUSTED, naming the limit's key.
 */
public class Validator {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    /** An AMQP topic pattern: words of [A-Za-z0-9_:-] or '*' or '#', separated by '.'. */
    private static final Pattern TOPIC_PATTERN = Pattern.compile("(\\*|#|[A-Za-z0-9_:-]+)(\\.(\\*|#|[A-Za-z0-9_:-]+))*");
    private static final int MAX_KEY_LENGTH = 255;
    /**
     * Longest header name, UTF-8 bytes: it travels as an AMQP header name (at most 255 bytes)
     * behind the prefix x-eventbus-header-.
     */
    static final int MAX_HEADER_NAME_BYTES = 200;

    private final long maxMessageBytes;
    private final long maxDelaySeconds;
    private final int maxBatch;
    private final long maxWaitSeconds;
    private final int maxInFlight;
    private final int maxHeaders;
    private final long maxHeaderBytes;

    public Validator(long maxMessageBytes, long maxDelaySeconds, int maxBatch, long maxWaitSeconds, int maxInFlight,
                     int maxHeaders, long maxHeaderBytes) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxDelaySeconds = maxDelaySeconds;
        this.maxBatch = maxBatch;
        this.maxWaitSeconds = maxWaitSeconds;
        this.maxInFlight = maxInFlight;
        this.maxHeaders = maxHeaders;
        this.maxHeaderBytes = maxHeaderBytes;
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
            throw BusException.invalid(what + " name '" + shorten(name) + "' is invalid: the prefix amq. is reserved by RabbitMQ");
        }
        return name;
    }

    /**
     * Marks the messages received from RabbitMQ that the bus cannot deliver, with the reason: what
     * a plain AMQP client may send beyond the bus's own limits, which the in-flight row (id and key
     * of at most 255 characters) or the consumer's gRPC client (a payload over
     * eventbus.max-message-bytes) would refuse. Such a message is filed in the dead letters, not
     * given back to RabbitMQ, which would hand it out again at once, for ever. The bus's own
     * messages are within these limits (checked when published).
     */
    public java.util.List<BusMessage> markUndeliverable(java.util.List<BusMessage> received) {
        for (BusMessage message : received) {
            if (message.getId().length() > MAX_KEY_LENGTH) {
                message.setUndeliverable("its id has " + message.getId().length() + " characters: at most "
                        + MAX_KEY_LENGTH + " are allowed");
            } else if (message.getKey() != null && message.getKey().length() > MAX_KEY_LENGTH) {
                message.setUndeliverable("its key has " + message.getKey().length() + " characters: at most "
                        + MAX_KEY_LENGTH + " are allowed");
            } else if (message.getData() != null && message.getData().length > maxMessageBytes) {
                message.setUndeliverable("its payload has " + message.getData().length + " bytes: at most "
                        + maxMessageBytes + " are allowed (eventbus.max-message-bytes)");
            }
        }
        return received;
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
            throw BusException.overLimit("data has " + message.getData().length + " bytes: at most "
                    + maxMessageBytes + " are allowed (eventbus.max-message-bytes)");
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
        if (message.getHeaders().size() > maxHeaders) {
            throw BusException.overLimit(message.getHeaders().size() + " headers: at most " + maxHeaders
                    + " are allowed (eventbus.max-headers)");
        }
        long bytes = 0;
        for (var header : message.getHeaders().entrySet()) {
            if (header.getKey().isEmpty()) {
                throw BusException.invalid("a header has an empty name");
            }
            long nameBytes = utf8Length(header.getKey());
            if (nameBytes > MAX_HEADER_NAME_BYTES) {
                throw BusException.invalid("header name '" + shorten(header.getKey()) + "' has " + nameBytes
                        + " bytes: at most " + MAX_HEADER_NAME_BYTES + " (UTF-8) are allowed");
            }
            bytes += nameBytes + utf8Length(header.getValue());
        }
        if (bytes > maxHeaderBytes) {
            throw BusException.overLimit("headers take " + bytes + " bytes (names and values, UTF-8): at most "
                    + maxHeaderBytes + " are allowed (eventbus.max-header-bytes)");
        }
    }

    /** Every message of a batch, before any is published; the message names the bad one. */
    public java.util.List<BusMessage> messages(java.util.List<BusMessage> messages) {
        if (messages.isEmpty()) {
            throw BusException.invalid("the batch has no messages");
        }
        if (messages.size() > maxBatch) {
            throw BusException.overLimit("the batch has " + messages.size() + " messages: at most " + maxBatch
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
            throw BusException.overLimit(ids.size() + " ids: at most " + maxBatch + " are allowed (eventbus.max-batch)");
        }
        ids.forEach(this::id);
        return ids;
    }

    /** A pull's limits. */
    public io.eventbus.grpc.v1.PullRequest pull(io.eventbus.grpc.v1.PullRequest request) {
        if (request.getMaxMessages() > maxBatch) {
            throw BusException.overLimit("max_messages " + request.getMaxMessages() + " is over the limit of " + maxBatch
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
            throw BusException.overLimit("max_in_flight " + request.getMaxInFlight() + " is over the limit of " + maxInFlight
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

    /** Bytes of the string in UTF-8, without encoding it. */
    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** At most 60 characters of what the caller sent, control characters escaped, for a message about it. */
    private static String shorten(String s) {
        String head = s.length() <= 60 ? s : s.substring(0, 60) + "…";
        StringBuilder shown = new StringBuilder(head.length());
        head.chars().forEach(c -> {
            if (Character.isISOControl(c)) {
                shown.append(String.format("\\u%04x", c));
            } else {
                shown.append((char) c);
            }
        });
        return shown.toString();
    }
}
