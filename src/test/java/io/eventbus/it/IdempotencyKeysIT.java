package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eventbus.message.BusMessage;
import io.eventbus.store.IdempotencyKeys;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Idempotency keys on the machine's Redis, as two nodes would take them: a key answers for a
 * message only once that message is durable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyKeysIT {

    private final String prefix = Broker.uniqueName("idem-keys") + ":";
    private JedisConnectionFactory factory;
    private StringRedisTemplate redis;
    private IdempotencyKeys keys;

    @BeforeAll
    void connect() {
        factory = LocalRedis.factory();
        redis = LocalRedis.template(factory);
        keys = new IdempotencyKeys(redis, prefix, Duration.ofSeconds(120), Duration.ofSeconds(2));
    }

    @AfterAll
    void disconnect() {
        redis.delete(redis.keys(prefix + "*"));
        factory.destroy();
    }

    private static BusMessage message(String id, String key) {
        BusMessage message = new BusMessage();
        message.setId(id);
        message.setQueue("orders");
        message.setIdempotencyKey(key);
        return message;
    }

    @Test
    void aRepeatWaitsForTheFirstPublishAndThenGetsItsId() {
        assertThat(keys.claim(message("first", "k1"))).isNull();

        CompletableFuture<String> repeat = CompletableFuture.supplyAsync(() -> keys.claim(message("second", "k1")));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> !repeat.isDone());

        keys.durable(message("first", "k1"));
        assertThat(repeat).succeedsWithin(Duration.ofSeconds(1)).isEqualTo("first");
        assertThat(keys.claim(message("third", "k1"))).isEqualTo("first");
        String key = redis.keys(prefix + "idem:*k1").iterator().next();
        assertThat(redis.getExpire(key)).as("kept for the window once durable").isBetween(100L, 120L);
    }

    @Test
    void aKeyWhoseFirstPublishNeverBecameDurableDoesNotAnswerForIt() {
        // the first publish's node is killed after taking the key, before the broker confirmed
        assertThat(keys.claim(message("lost-node", "k2"))).isNull();

        long start = System.nanoTime();
        assertThat(keys.claim(message("retry", "k2"))).as("the retry publishes").isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("once the pending mark lapsed").isGreaterThan(Duration.ofMillis(1000));

        keys.durable(message("retry", "k2"));
        assertThat(keys.claim(message("later", "k2"))).isEqualTo("retry");
    }

    @Test
    void aFailedFirstPublishGivesTheKeyToTheRetryAtOnce() {
        assertThat(keys.claim(message("failed", "k3"))).isNull();
        IllegalStateException failure = new IllegalStateException("broker down");
        assertThatThrownBy(() -> keys.releaseAndRethrow(message("failed", "k3"), failure)).isSameAs(failure);

        long start = System.nanoTime();
        assertThat(keys.claim(message("retry", "k3"))).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void aDurableMarkOfAnotherMessageLeavesTheKeyAlone() {
        assertThat(keys.claim(message("owner", "k4"))).isNull();
        keys.durable(message("intruder", "k4"));
        keys.durable(message("owner", "k4"));
        assertThat(keys.claim(message("repeat", "k4"))).isEqualTo("owner");
    }
}
