package io.eventbus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The original event-bus's config.yaml read as this bus's properties (DESIGN §5, issue 7). */
class OriginalConfigTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", "."));

    /** DESIGN §5's left column, in its order. */
    private static final List<String> DESIGN_KEYS = List.of("RetryTimes", "DLMExpiration", "MaxJobRunningSeconds",
            "NackdJobNextRunDelaySeconds", "CronRepublishEnabled", "CronDelayPublishEnabled",
            "BackgroundConsumerEnabled", "BackConsumerGoroutineNum", "AmqpUrl", "PrefetchCount", "HttpPort",
            "RpcPort", "RedisAddr", "RedisDB", "RedisUsername", "RedisPassword", "DB_HOST", "DB_PORT",
            "DB_DATABASE", "DB_USERNAME", "DB_PASSWORD", "EachQueueConsumerNum", "EachQueueProducerNum");

    private static OriginalConfig parse(String yaml) {
        return OriginalConfig.parse(yaml, "config.yaml");
    }

    @Test
    void everyKeyOfTheOriginalMapsToItsProperty() {
        OriginalConfig config = parse("""
                RetryTimes: 7
                DLMExpiration: 901
                MaxJobRunningSeconds: 602
                NackdJobNextRunDelaySeconds: 33
                CronRepublishEnabled: false
                CronDelayPublishEnabled: false
                BackgroundConsumerEnabled: false
                BackConsumerGoroutineNum: 9
                AmqpUrl: amqp://bus:secret@rabbit.internal:5673/prod
                PrefetchCount: 300
                HttpPort: 8080
                RpcPort: 9999
                RedisAddr: redis.internal:6380
                RedisDB: 4
                RedisUsername: bus
                RedisPassword: redis-secret
                DB_HOST: db.internal
                DB_PORT: 3307
                DB_DATABASE: mq_prod
                DB_USERNAME: bus
                DB_PASSWORD: db-secret
                EachQueueConsumerNum: 6
                EachQueueProducerNum: 3
                """);

        assertThat(config.properties()).containsExactly(
                entry("eventbus.retry-times", "7"),
                entry("eventbus.lock-expiration-seconds", "901"),
                entry("eventbus.ack-deadline-seconds", "602"),
                entry("eventbus.nack-delay-seconds", "33"),
                entry("eventbus.sweep.redelivery-enabled", "false"),
                entry("eventbus.sweep.delay-enabled", "false"),
                entry("eventbus.background-enabled", "false"),
                entry("eventbus.background-threads", "9"),
                entry("eventbus.amqp-url", "amqp://bus:secret@rabbit.internal:5673/prod"),
                entry("eventbus.prefetch-count", "300"),
                entry("eventbus.http-port", "8080"),
                entry("eventbus.rpc-port", "9999"),
                entry("eventbus.redis.addr", "redis.internal:6380"),
                entry("eventbus.redis.db", "4"),
                entry("eventbus.redis.username", "bus"),
                entry("eventbus.redis.password", "redis-secret"),
                entry("eventbus.db.host", "db.internal"),
                entry("eventbus.db.port", "3307"),
                entry("eventbus.db.database", "mq_prod"),
                entry("eventbus.db.username", "bus"),
                entry("eventbus.db.password", "db-secret"),
                entry("eventbus.queue-consumers", "6"),
                entry("eventbus.queue-producers", "3"));
        assertThat(config.unknownKeys()).isEmpty();
        assertThat(config.ignoredKeys()).isEmpty();
        assertThat(config.requireKnownKeys()).isSameAs(config);
    }

    @Test
    void theMappingCoversDesignsTableAndEveryTargetExistsInApplicationProperties() throws IOException {
        assertThat(OriginalConfig.mapping().keySet()).containsExactlyElementsOf(DESIGN_KEYS);
        Properties defaults = new Properties();
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("application.properties"))) {
            defaults.load(reader);
        }
        assertThat(defaults.stringPropertyNames()).containsAll(OriginalConfig.mapping().values());
        assertThat(OriginalConfig.knownKeys()).containsAll(DESIGN_KEYS).contains("Debug", "PrintConfig");
    }

    @Test
    void theSampleGivesEveryKeyAndDiffersFromTheDefaultsWhereItCan() throws IOException {
        OriginalConfig sample = OriginalConfig.read(ROOT.resolve("docs/config.yaml")).requireKnownKeys();

        assertThat(sample.properties().keySet()).containsExactlyInAnyOrderElementsOf(OriginalConfig.mapping().values());
        assertThat(sample.ignoredKeys()).containsExactly("Debug", "PrintConfig");
        Properties defaults = new Properties();
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("application.properties"))) {
            defaults.load(reader);
        }
        // the local services' address, user and empty passwords are the defaults: the rest differs
        List<String> same = sample.properties().entrySet().stream()
                .filter(e -> e.getValue().equals(defaults.getProperty(e.getKey())))
                .map(Map.Entry::getKey).sorted().toList();
        assertThat(same).containsExactly("eventbus.db.host", "eventbus.db.password", "eventbus.db.port",
                "eventbus.db.username", "eventbus.redis.password", "eventbus.redis.username",
                "eventbus.sweep.redelivery-enabled");
    }

    @Test
    void keysAreReadRegardlessOfCaseAsTheOriginalDid() {
        OriginalConfig config = parse("retrytimes: 4\ndb_host: db.internal\nAMQPURL: amqp://localhost\n");

        assertThat(config.properties()).containsExactly(entry("eventbus.retry-times", "4"),
                entry("eventbus.db.host", "db.internal"), entry("eventbus.amqp-url", "amqp://localhost"));
        assertThat(config.unknownKeys()).isEmpty();
    }

    @Test
    void numbersMustBeWholeNumbersInRange() {
        assertThat(parse("RetryTimes: \"5\"\nPrefetchCount: 1_000\nRedisDB: +2\nNackdJobNextRunDelaySeconds: 0\n")
                .properties()).containsExactly(entry("eventbus.retry-times", "5"), entry("eventbus.prefetch-count", "1000"),
                entry("eventbus.redis.db", "2"), entry("eventbus.nack-delay-seconds", "0"));

        assertThatThrownBy(() -> parse("RetryTimes: three"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config.yaml")
                .hasMessageContaining("RetryTimes: expected a whole number from 0 to 2147483647, found 'three'");
        assertThatThrownBy(() -> parse("RetryTimes: -1")).hasMessageContaining("RetryTimes: expected a whole number");
        assertThatThrownBy(() -> parse("RetryTimes: 2.5")).hasMessageContaining("RetryTimes: expected a whole number");
        assertThatThrownBy(() -> parse("EachQueueConsumerNum: 99999999999"))
                .hasMessageContaining("EachQueueConsumerNum: expected a whole number from 1 to 2147483647");
        assertThatThrownBy(() -> parse("DLMExpiration: 0")).hasMessageContaining("DLMExpiration: expected a whole number from 1");
        // basic.qos holds at most 65535 unacked messages per consumer
        assertThatThrownBy(() -> parse("PrefetchCount: 70000"))
                .hasMessageContaining("PrefetchCount: expected a whole number from 0 to 65535, found 70000");
        assertThatThrownBy(() -> parse("BackConsumerGoroutineNum: 0"))
                .hasMessageContaining("BackConsumerGoroutineNum: expected a whole number from 1");
    }

    @Test
    void portsAreOneTo65535AsNumbersOrText() {
        assertThat(parse("HttpPort: \"7879\"\nRpcPort: 9092\nDB_PORT: 3306\n").properties()).containsExactly(
                entry("eventbus.http-port", "7879"), entry("eventbus.rpc-port", "9092"), entry("eventbus.db.port", "3306"));
        assertThatThrownBy(() -> parse("HttpPort: 70000"))
                .hasMessageContaining("HttpPort: expected a port number from 1 to 65535, found 70000");
        assertThatThrownBy(() -> parse("RpcPort: \":9091\"")).hasMessageContaining("RpcPort: expected a port number");
        assertThatThrownBy(() -> parse("DB_PORT: 0")).hasMessageContaining("DB_PORT: expected a port number");
    }

    @Test
    void booleansAreTrueOrFalseInTheSpellingsTheOriginalAccepted() {
        assertThat(parse("CronRepublishEnabled: yes\nCronDelayPublishEnabled: \"False\"\nBackgroundConsumerEnabled: 1\n")
                .properties()).containsExactly(entry("eventbus.sweep.redelivery-enabled", "true"),
                entry("eventbus.sweep.delay-enabled", "false"), entry("eventbus.background-enabled", "true"));
        assertThatThrownBy(() -> parse("CronRepublishEnabled: maybe"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CronRepublishEnabled: expected true or false, found 'maybe'");
        assertThatThrownBy(() -> parse("BackgroundConsumerEnabled: 2"))
                .hasMessageContaining("BackgroundConsumerEnabled: expected true or false");
    }

    @Test
    void addressesAndUrlsAreChecked() {
        assertThat(parse("RedisAddr: redis.internal\n").properties()).containsExactly(entry("eventbus.redis.addr", "redis.internal"));
        assertThatThrownBy(() -> parse("RedisAddr: \"localhost:port\""))
                .hasMessageContaining("RedisAddr: expected host:port, such as localhost:6379, found 'localhost:port'");
        assertThatThrownBy(() -> parse("AmqpUrl: http://bus:s3cret@rabbit.internal/"))
                .hasMessageContaining("AmqpUrl: expected an AMQP URL")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> parse("AmqpUrl: rabbit.internal:5672")).hasMessageContaining("AmqpUrl: expected an AMQP URL");
    }

    @Test
    void textKeepsWhatWasWrittenAndOnlyUserNamesAndPasswordsMayBeEmpty() {
        OriginalConfig config = parse("DB_PASSWORD: 0123\nRedisPassword: yes\nRedisUsername:\nDB_DATABASE: mq_v2\n");
        assertThat(config.properties()).containsExactly(entry("eventbus.db.password", "0123"),
                entry("eventbus.redis.password", "yes"), entry("eventbus.redis.username", ""),
                entry("eventbus.db.database", "mq_v2"));

        assertThatThrownBy(() -> parse("DB_HOST:")).hasMessageContaining("DB_HOST: no value")
                .hasMessageContaining("leave the key out to keep the default");
        assertThatThrownBy(() -> parse("RetryTimes: ~")).hasMessageContaining("RetryTimes: no value");
        assertThatThrownBy(() -> parse("RetryTimes: [1, 2]")).hasMessageContaining("RetryTimes: expected a whole number")
                .hasMessageContaining("found a list");
        assertThatThrownBy(() -> parse("DB_HOST: {name: db}")).hasMessageContaining("DB_HOST: expected a single value, found a mapping");
    }

    @Test
    void everyBadValueIsNamedInOneMessage() {
        assertThatThrownBy(() -> parse("RetryTimes: x\nHttpPort: 0\nDB_HOST: ok\nRedisDB: -3\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config.yaml has values the bus cannot use")
                .hasMessageContaining("RetryTimes:").hasMessageContaining("HttpPort:").hasMessageContaining("RedisDB:")
                .hasMessageNotContaining("DB_HOST:");
    }

    @Test
    void unknownKeysAreListedAndRefused() {
        OriginalConfig config = parse("""
                RetryTimes: 4
                RetryTime: 5
                CronDelayPushEnabled: true
                Queues:
                  orders: 3
                """);

        assertThat(config.properties()).containsExactly(entry("eventbus.retry-times", "4"));
        assertThat(config.unknownKeys()).containsExactly("RetryTime", "CronDelayPushEnabled", "Queues");
        assertThatThrownBy(config::requireKnownKeys)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config.yaml has keys the original event-bus does not have")
                .hasMessageContaining("RetryTime, CronDelayPushEnabled (an earlier name of CronDelayPublishEnabled: rename it), Queues")
                .hasMessageContaining("Known keys: Debug, PrintConfig, RetryTimes");
    }

    @Test
    void debugAndPrintConfigAreCheckedThenLeftOut() {
        OriginalConfig config = parse("Debug: true\nPrintConfig: false\n");
        assertThat(config.properties()).isEmpty();
        assertThat(config.unknownKeys()).isEmpty();
        assertThat(config.ignoredKeys()).containsExactly("Debug", "PrintConfig");
        assertThatThrownBy(() -> parse("Debug: loud")).hasMessageContaining("Debug: expected true or false");
    }

    @Test
    void anEmptyFileMapsToNothing(@TempDir Path dir) throws IOException {
        Path empty = Files.createFile(dir.resolve("config.yaml"));
        for (OriginalConfig config : List.of(OriginalConfig.read(empty), parse(""), parse("# nothing set\n"), parse("~"))) {
            assertThat(config.properties()).isEmpty();
            assertThat(config.unknownKeys()).isEmpty();
            assertThat(config.ignoredKeys()).isEmpty();
            config.requireKnownKeys();
        }
    }

    @Test
    void aFileThatIsNotOneMappingOfKeysIsRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> parse("- RetryTimes\n- 3\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected one mapping of keys to values").hasMessageContaining("found a list");
        assertThatThrownBy(() -> parse("RetryTimes: [3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config.yaml is not valid YAML");
        assertThatThrownBy(() -> parse("RetryTimes: 3\n---\nRetryTimes: 4\n")).hasMessageContaining("is not valid YAML");
        assertThatThrownBy(() -> parse("RetryTimes: 3\nretryTimes: 4\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retryTimes: given twice (as RetryTimes and retryTimes");
        assertThatThrownBy(() -> OriginalConfig.read(dir.resolve("missing.yaml"))).isInstanceOf(NoSuchFileException.class);
    }
}
