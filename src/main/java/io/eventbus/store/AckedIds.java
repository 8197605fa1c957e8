package io.eventbus.store;

import java.time.Duration;
import java.util.List;
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

    public AckedIds(StringRedisTemplate redis, String prefix, Duration keep) {
        this.redis = redis;
        this.prefix = prefix + "acked:";
        this.keep = keep;
    }

    public void remember(String id) {
        try {
            redis.opsForValue().set(prefix + id, "1", keep);
        } catch (RuntimeException e) {
            LOG.warn("Redis did not take the ack of {}: {}", id, e.toString());
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
        } catch (RuntimeException e) {
            LOG.warn("Redis did not take the acks of {} messages: {}", ids.size(), e.toString());
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
        } catch (RuntimeException e) {
            LOG.warn("Redis did not answer whether {} messages were acked: {}", messages.size(), e.toString());
        }
    }

    public boolean isAcked(String id) {
        try {
            return Boolean.TRUE.equals(redis.hasKey(prefix + id));
        } catch (RuntimeException e) {
            LOG.warn("Redis did not answer whether {} was acked: {}", id, e.toString());
            return false;
        }
    }
}
