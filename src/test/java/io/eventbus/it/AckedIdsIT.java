package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.message.BusMessage;
import io.eventbus.store.AckedIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The acked-id hints on the machine's Redis, with the template set up as the bus sets it up. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AckedIdsIT {

    private final String prefix = Broker.uniqueName("acked-ids") + ":";
    private JedisConnectionFactory factory;
    private StringRedisTemplate redis;

    @BeforeAll
    void connect() {
        factory = LocalRedis.factory();
        redis = LocalRedis.template(factory);
    }

    @AfterAll
    void disconnect() {
        redis.delete(redis.keys(prefix + "*"));
        factory.destroy();
    }

    @Test
    void acksTakenInOnePipelineAreKnownWithTheirExpiry() {
        AckedIds acked = new AckedIds(redis, prefix, Duration.ofSeconds(120));
        List<String> ids = IntStream.range(0, 250).mapToObj(i -> "m" + i).toList();

        acked.rememberAll(ids);

        assertThat(redis.keys(prefix + "acked:*")).hasSize(250);
        assertThat(redis.opsForValue().get(prefix + "acked:m249")).isEqualTo("1");
        assertThat(redis.getExpire(prefix + "acked:m0")).isBetween(100L, 120L);
        assertThat(acked.isAcked("m17")).isTrue();
        assertThat(acked.isAcked("m250")).isFalse();

        List<BusMessage> delivered = new ArrayList<>();
        for (String id : List.of("m3", "other", "m0")) {
            BusMessage message = new BusMessage();
            message.setId(id);
            delivered.add(message);
        }
        acked.markAckedBefore(delivered);
        assertThat(delivered).extracting(BusMessage::isAckedBefore).containsExactly(true, false, true);
    }
}
