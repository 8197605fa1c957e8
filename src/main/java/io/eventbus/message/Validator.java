package io.eventbus.message;

import io.eventbus.BusException;
import java.util.regex.Pattern;

/**
 * Checks what callers send before anything reaches RabbitMQ or SQL (DESIGN §2, §4). Each failure
 * is a {@link BusException} whose message says what was wrong and what is allowed.
 */
public class Validator {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

    private final long maxMessageBytes;
    private final long maxDelaySeconds;

    public Validator(long maxMessageBytes, long maxDelaySeconds) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxDelaySeconds = maxDelaySeconds;
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
        if (message.getTopic() != null) {
            name(message.getTopic(), "topic");
        } else {
            name(message.getQueue(), "queue");
        }
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
