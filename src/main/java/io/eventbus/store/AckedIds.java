package io.eventbus.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Ids of acked messages, kept in Redis for a while so that a copy redelivered after its ack (the
 * ack came late, or raced a redelivery sweep) is not delivered again, and a nack right after an
 * ack is refused on any node. A hint, not a record: without Redis the ledger still holds the truth.
 */
public class AckedIds {

    private static final Logger LOG = LoggerFactory.getLogger(AckedIds.class);

    private final StringRedisTemplate redis;
    private final String prefix;
    private final Duration keep;
    /** Calls that failed since Redis last answered: an outage is logged once, not once per message. */
    private final AtomicLong failures = new AtomicLong();

    public AckedIds(StringRedisTemplate redis, String prefix, Duration keep) {
        this.redis = redis;
        this.prefix = prefix + "acked:";
        this.keep = keep;
    }

    public void remember(String id) {
        try {
            redis.opsForValue().set(prefix + id, "1", keep);
            answered();
        } catch (RuntimeException e) {
            failed("take the ack of " + id, e);
        }
    }

    /** Remembers many acks in one round trip (pipelined). */
    public void rememberAll(List<String> ids) {
        try {
            redis.executePipelined(new SessionCallback<Object>() {
                @Override
                @SuppressWarnings({"unchecked", "rawtypes"})
                public Object execute(RedisOperations operations) {
                    ids.forEach(id -> operations.opsForValue().set(prefix + id, "1", keep));
                    return null;
                }
            });
            answered();
        } catch (RuntimeException e) {
            failed("take the acks of " + ids.size() + " messages", e);
        }
    }

    /** Marks the messages whose ids were acked before, with one round trip (MGET). */
    public void markAckedBefore(List<io.eventbus.message.BusMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        try {
            List<String> answers = redis.opsForValue().multiGet(messages.stream().map(m -> prefix + m.getId()).toList());
            for (int i = 0; i < messages.size(); i++) {
                messages.get(i).setAckedBefore(answers != null && answers.get(i) != null);
            }
            answered();
        } catch (RuntimeException e) {
            failed("answer whether " + messages.size() + " messages were acked", e);
        }
    }

    public boolean isAcked(String id) {
        try {
            boolean acked = Boolean.TRUE.equals(redis.hasKey(prefix + id));
            answered();
            return acked;
        } catch (RuntimeException e) {
            failed("answer whether " + id + " was acked", e);
            return false;
        }
    }

    private void failed(String what, RuntimeException e) {
        if (failures.getAndIncrement() == 0) {
            LOG.warn("Redis did not {} (acked-id hints pause until it answers; not logged again until then): {}",
                    what, e.toString());
        }
    }

    private void answered() {
        long failed = failures.get() == 0 ? 0 : failures.getAndSet(0);
        if (failed > 0) {
            LOG.info("Redis answers again; {} acked-id calls failed meanwhile", failed);
        }
    }
}
