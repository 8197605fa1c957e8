package io.eventbus.it;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The machine's Redis, with the template set up as the bus sets it up. */
final class LocalRedis {

    private LocalRedis() {
    }

    /** A started connection factory; destroy it after use. */
    static JedisConnectionFactory factory() {
        JedisConnectionFactory factory = new JedisConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    static StringRedisTemplate template(JedisConnectionFactory factory) {
        StringRedisTemplate redis = new StringRedisTemplate(factory);
        redis.setExposeConnection(true);
        return redis;
    }
}
