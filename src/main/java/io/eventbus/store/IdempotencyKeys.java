package io.eventbus.store;

import io.eventbus.BusException;
import io.eventbus.message.BusMessage;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * Idempotency keys in Redis: the first publish of a key takes it with SET NX (atomic across
 * nodes), marked pending with its message id; once the message is durable the key holds the id
 * for the window, and a repeat gets that id back. A repeat that finds the key pending waits for
 * the first publish's outcome: its id once durable, or the key itself if that publish failed (the
 * key is given back) or its node died (the pending mark lapses after {@code pending}), so that a
 * key never answers for a message that was never accepted. Camel's
 * idempotentConsumer with a Redis repository only answers "seen or not", and a duplicate must
 * return the first message's id, so the key holds the id. A key counts per destination (the queue,
 * or the topic): the same key given for another queue is another message, and one publisher's keys
 * can never suppress, or reveal, another's publishes to its own queues.
 */
public class IdempotencyKeys {

    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyKeys.class);

    /** The mark of a key whose first publish is not durable yet: {@code pending:<id>}. */
    static final String PENDING = "pending:";

    private static final DefaultRedisScript<Long> DELETE_IF_OWNED = new DefaultRedisScript<>(
            "local v = redis.call('get', KEYS[1]) if v == ARGV[1] or v == ARGV[2] then return redis.call('del', KEYS[1]) else return 0 end",
            Long.class);

    /** pending:id becomes id, kept for the window (ARGV[3] ms); a key that lapsed or went to another message stays as it is. */
    private static final DefaultRedisScript<Long> SETTLE_IF_PENDING = new DefaultRedisScript<>(
            "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 else return 0 end",
            Long.class);

    private final StringRedisTemplate redis;
    private final String prefix;
    private final Duration window;
    private final Duration pending;

    public IdempotencyKeys(StringRedisTemplate redis, String prefix, Duration window, Duration pending) {
        this.redis = redis;
        this.prefix = prefix + "idem:";
        this.window = window;
        this.pending = pending;
    }

    /**
     * Takes the message's key: null when this message is the first, else the first message's id.
     * While the first publish of the key is under way (pending), waits for it, at most the pending
     * time and a second: then UNAVAILABLE, for the client to retry.
     */
    public String claim(BusMessage message) {
        String key = key(message);
        // a pending mark lapses at most the pending time after it was set: waiting a second longer
        // sees it lapse (or settle), whenever it was set
        long giveUp = System.nanoTime() + pending.toNanos() + TimeUnit.SECONDS.toNanos(1);
        long pause = 1;
        try {
            while (true) {
                if (Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(key, PENDING + message.getId(), pending))) {
                    return null;
                }
                String first = redis.opsForValue().get(key);
                if (first != null && !first.startsWith(PENDING)) {
                    return first;
                }
                // pending (or lapsed between SET NX and GET): the first publish's outcome is awaited
                if (System.nanoTime() - giveUp > 0) {
                    throw new BusException(Status.Code.UNAVAILABLE, "a publish with idempotency_key '"
                            + message.getIdempotencyKey() + "' is still under way (" + first + "); retry later");
                }
                Thread.sleep(pause);
                pause = Math.min(pause * 2, 50);
            }
        } catch (BusException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusException(Status.Code.UNAVAILABLE, "interrupted while a publish with idempotency_key '"
                    + message.getIdempotencyKey() + "' was under way; retry later");
        } catch (RuntimeException e) {
            throw new BusException(Status.Code.UNAVAILABLE, "Redis is unavailable, so idempotency_key '"
                    + message.getIdempotencyKey() + "' cannot be checked for duplicates; retry later, "
                    + "or publish without an idempotency_key (" + e.getMessage() + ")");
        }
    }

    /**
     * The message that took its key is durable: the key now answers with its id for the window.
     * Without Redis the pending mark lapses instead, and a repeat after that publishes again
     * (Redis holds nothing that must survive it); the publish itself has succeeded, so that is
     * logged, not thrown.
     */
    public void durable(BusMessage message) {
        if (message.getIdempotencyKey() == null || message.isDuplicate()) {
            return;
        }
        try {
            redis.execute(SETTLE_IF_PENDING, List.of(key(message)), PENDING + message.getId(), message.getId(),
                    String.valueOf(window.toMillis()));
        } catch (RuntimeException e) {
            LOG.warn("idempotency_key '{}' of message {} stays pending until it lapses: {}", message.getIdempotencyKey(),
                    message.getId(), e.getMessage());
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
                redis.execute(DELETE_IF_OWNED, List.of(key(message)), PENDING + message.getId(), message.getId());
            } catch (RuntimeException ignored) {
                // Redis is gone too: the key lapses after the window
            }
        }
        throw failure;
    }
}
