package io.eventbus.store;

import io.eventbus.BusException;
import io.eventbus.message.BusMessage;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * Idempotency keys in Redis: the first publish of a key takes it with SET NX (atomic across
 * nodes) and stores its message id; a repeat within the window gets that id back. Camel's
 * idempotentConsumer with a Redis repository only answers "seen or not", and a duplicate must
 * return the first message's id, so the key holds the id. A key counts per destination (the queue,
 * or the topic): the same key given for another queue is another message, and one publisher's keys
 * can never suppress, or reveal, another's publishes to its own queues.
 */
public class IdempotencyKeys {

    private static final DefaultRedisScript<Long> DELETE_IF_OWNED = new DefaultRedisScript<>(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", Long.class);

    private final StringRedisTemplate redis;
    private final String prefix;
    private final Duration window;

    public IdempotencyKeys(StringRedisTemplate redis, String prefix, Duration window) {
        this.redis = redis;
        this.prefix = prefix + "idem:";
        this.window = window;
    }

    /** Takes the message's key: null when this message is the first, else the first message's id. */
    public String claim(BusMessage message) {
        String key = key(message);
        try {
            for (int tries = 0; tries < 3; tries++) {
                if (Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(key, message.getId(), window))) {
                    return null;
                }
                String first = redis.opsForValue().get(key);
                if (first != null) {
                    return first;
                }
                // the key lapsed between SET NX and GET: try again
            }
            throw new IllegalStateException("idempotency key " + key + " keeps lapsing");
        } catch (RuntimeException e) {
            throw new BusException(Status.Code.UNAVAILABLE, "Redis is unavailable, so idempotency_key '"
                    + message.getIdempotencyKey() + "' cannot be checked for duplicates; retry later, "
                    + "or publish without an idempotency_key (" + e.getMessage() + ")");
        }
    }

    /**
     * The Redis key: {@code <prefix>idem:<n>:q:<queue>:<key>} (t: for a topic), where n is the length
     * of {@code q:<queue>}: names may hold ':', so the length keeps queue "a" with key "b:k" apart
     * from queue "a:b" with key "k".
     */
    String key(BusMessage message) {
        String destination = message.getQueue() != null ? "q:" + message.getQueue() : "t:" + message.getTopic();
        return prefix + destination.length() + ":" + destination + ":" + message.getIdempotencyKey();
    }

    /**
     * A publish that took a key failed: gives the key back (only if it still names this message),
     * so that the client's retry publishes, then rethrows the failure.
     */
    public void releaseAndRethrow(BusMessage message, Exception failure) throws Exception {
        if (message != null && message.getIdempotencyKey() != null && !message.isDuplicate()) {
            try {
                redis.execute(DELETE_IF_OWNED, List.of(key(message)), message.getId());
            } catch (RuntimeException ignored) {
                // Redis is gone too: the key lapses after the window
            }
        }
        throw failure;
    }
}
