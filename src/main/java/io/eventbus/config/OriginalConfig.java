package io.eventbus.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.reader.UnicodeReader;

/**
 * A {@code config.yaml} of the original Go event-bus, read as this bus's properties (DESIGN §5),
 * so that a deployment of the original moves over with its file unchanged.
 *
 * <p>The original's file is one flat YAML mapping ({@code RetryTimes: 3}, {@code DB_HOST: 127.0.0.1},
 * …) read with viper, which matches keys regardless of case; so does this class. Each value is
 * checked against what the key means (a whole number in range, a port, true or false, an AMQP
 * URL) and given as the property's value in this bus's form ({@code eventbus.retry-times=3}). A
 * key the file leaves out keeps this bus's default. {@code Debug} and {@code PrintConfig} switch
 * the original's logging and have no counterpart here: they are checked, then left out
 * ({@link #ignoredKeys()}). Any other key is unknown ({@link #unknownKeys()}): a misspelt key
 * would otherwise be silently without effect, so {@link #requireKnownKeys()} refuses it.
 */
public final class OriginalConfig {

    /** What a value must look like, and its form as a property. */
    private enum Kind {
        /** 0 or more, at most Integer.MAX_VALUE. */
        COUNT(0, Integer.MAX_VALUE),
        /** 1 or more, at most Integer.MAX_VALUE. */
        POSITIVE_COUNT(1, Integer.MAX_VALUE),
        /** Seconds, 0 or more. */
        SECONDS(0, Long.MAX_VALUE / 1_000_000),
        /** Seconds, 1 or more. */
        POSITIVE_SECONDS(1, Long.MAX_VALUE / 1_000_000),
        /** A TCP port. */
        PORT(1, 65535),
        /** Unacked messages per consumer: 0 (the bus chooses) up to basic.qos's 65535. */
        PREFETCH(0, 65535),
        BOOLEAN,
        /** An amqp:// or amqps:// URL. */
        AMQP_URL,
        /** host or host:port. */
        ADDRESS,
        /** Text that may not be empty. */
        TEXT,
        /** Text that may be empty (a user name or password that is not set). */
        OPTIONAL_TEXT;

        final long min;
        final long max;

        Kind() {
            this(0, 0);
        }

        Kind(long min, long max) {
            this.min = min;
            this.max = max;
        }

        boolean numeric() {
            return max > 0;
        }
    }

    private record Key(String original, String property, Kind kind) {
    }

    /** The original's keys in the order of its own example file, each with its property here. */
    private static final List<Key> KEYS = List.of(
            new Key("RetryTimes", "eventbus.retry-times", Kind.COUNT),
            new Key("DLMExpiration", "eventbus.lock-expiration-seconds", Kind.POSITIVE_SECONDS),
            new Key("MaxJobRunningSeconds", "eventbus.ack-deadline-seconds", Kind.POSITIVE_SECONDS),
            new Key("NackdJobNextRunDelaySeconds", "eventbus.nack-delay-seconds", Kind.SECONDS),
            new Key("CronRepublishEnabled", "eventbus.sweep.redelivery-enabled", Kind.BOOLEAN),
            new Key("CronDelayPublishEnabled", "eventbus.sweep.delay-enabled", Kind.BOOLEAN),
            new Key("BackgroundConsumerEnabled", "eventbus.background-enabled", Kind.BOOLEAN),
            new Key("BackConsumerGoroutineNum", "eventbus.background-threads", Kind.POSITIVE_COUNT),
            new Key("AmqpUrl", "eventbus.amqp-url", Kind.AMQP_URL),
            new Key("PrefetchCount", "eventbus.prefetch-count", Kind.PREFETCH),
            new Key("HttpPort", "eventbus.http-port", Kind.PORT),
            new Key("RpcPort", "eventbus.rpc-port", Kind.PORT),
            new Key("RedisAddr", "eventbus.redis.addr", Kind.ADDRESS),
            new Key("RedisDB", "eventbus.redis.db", Kind.COUNT),
            new Key("RedisUsername", "eventbus.redis.username", Kind.OPTIONAL_TEXT),
            new Key("RedisPassword", "eventbus.redis.password", Kind.OPTIONAL_TEXT),
            new Key("DB_HOST", "eventbus.db.host", Kind.TEXT),
            new Key("DB_PORT", "eventbus.db.port", Kind.PORT),
            new Key("DB_DATABASE", "eventbus.db.database", Kind.TEXT),
            new Key("DB_USERNAME", "eventbus.db.username", Kind.TEXT),
            new Key("DB_PASSWORD", "eventbus.db.password", Kind.OPTIONAL_TEXT),
            new Key("EachQueueConsumerNum", "eventbus.queue-consumers", Kind.POSITIVE_COUNT),
            new Key("EachQueueProducerNum", "eventbus.queue-producers", Kind.POSITIVE_COUNT));

    /** The original's keys with no counterpart here: its log level and its printing of the configuration. */
    private static final List<Key> IGNORED = List.of(
            new Key("Debug", null, Kind.BOOLEAN),
            new Key("PrintConfig", null, Kind.BOOLEAN));

    /** Names earlier versions of the original used, for the message that refuses them. */
    private static final Map<String, String> EARLIER_NAMES = Map.of(
            "crondelaypushenabled", "CronDelayPublishEnabled",
            "backconsumernum", "BackConsumerGoroutineNum");

    private static final Set<String> BOOLEAN_TRUE = Set.of("true", "yes", "on", "y", "t", "1");
    private static final Set<String> BOOLEAN_FALSE = Set.of("false", "no", "off", "n", "f", "0");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\+?[0-9][0-9_]*");

    private final String source;
    private final Map<String, String> properties;
    private final List<String> unknownKeys;
    private final List<String> ignoredKeys;

    private OriginalConfig(String source, Map<String, String> properties, List<String> unknownKeys,
            List<String> ignoredKeys) {
        this.source = source;
        this.properties = Collections.unmodifiableMap(properties);
        this.unknownKeys = List.copyOf(unknownKeys);
        this.ignoredKeys = List.copyOf(ignoredKeys);
    }

    /**
     * Reads an original config.yaml.
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when it is not YAML, not a mapping of keys to values, gives
     *         a key twice, or gives a value its key does not allow; the message names the file, and
     *         every such key with what it allows. Unknown keys do not throw here: see
     *         {@link #requireKnownKeys()}.
     */
    public static OriginalConfig read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file); Reader reader = new UnicodeReader(in)) {
            return read(reader, file.toString());
        }
    }

    /** Reads an original config.yaml given as text; {@code source} names it in messages. */
    public static OriginalConfig parse(String yaml, String source) {
        return read(new StringReader(yaml), source);
    }

    private static OriginalConfig read(Reader reader, String source) {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(reader);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + " is not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || root instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL)) {
            return new OriginalConfig(source, Map.of(), List.of(), List.of()); // empty, or only comments
        }
        if (!(root instanceof MappingNode mapping)) {
            throw new IllegalArgumentException(source + " is not a config.yaml of the original event-bus: "
                    + "expected one mapping of keys to values (RetryTimes: 3, AmqpUrl: amqp://…), found "
                    + describe(root) + " at line " + (root.getStartMark().getLine() + 1));
        }

        Map<String, String> properties = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> seen = new LinkedHashMap<>(); // lower case → as written
        for (NodeTuple entry : mapping.getValue()) {
            if (!(entry.getKeyNode() instanceof ScalarNode keyNode)) {
                problems.add("line " + (entry.getKeyNode().getStartMark().getLine() + 1)
                        + ": a key must be a name, found " + describe(entry.getKeyNode()));
                continue;
            }
            String written = keyNode.getValue();
            String earlier = seen.putIfAbsent(written.toLowerCase(Locale.ROOT), written);
            if (earlier != null) {
                problems.add(written + ": given twice" + (earlier.equals(written) ? "" : " (as " + earlier
                        + " and " + written + "; keys are read regardless of case, as the original did)"));
                continue;
            }
            Key key = find(KEYS, written);
            Key ignoredKey = key == null ? find(IGNORED, written) : null;
            if (key == null && ignoredKey == null) {
                unknown.add(written);
                continue;
            }
            Key known = key != null ? key : ignoredKey;
            try {
                String value = convert(known, entry.getValueNode());
                if (key != null) {
                    properties.put(key.property(), value);
                } else {
                    ignored.add(written);
                }
            } catch (IllegalArgumentException e) {
                problems.add(written + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(source + " has " + (problems.size() == 1 ? "a value" : "values")
                    + " the bus cannot use:\n  " + String.join("\n  ", problems));
        }
        return new OriginalConfig(source, properties, unknown, ignored);
    }

    /**
     * The equivalent properties, in the order of the file, each key under its name here
     * ({@code eventbus.retry-times}) with its value in this bus's form (a whole number without
     * signs or underscores, {@code true}/{@code false}). Only the keys the file gives.
     */
    public Map<String, String> properties() {
        return properties;
    }

    /** Keys of the file that the original's format does not have, as written, in the order of the file. */
    public List<String> unknownKeys() {
        return unknownKeys;
    }

    /**
     * Keys of the original's format that have no counterpart here (Debug, PrintConfig), as
     * written: accepted, and without effect. Worth a line in the log.
     */
    public List<String> ignoredKeys() {
        return ignoredKeys;
    }

    /**
     * Returns this when every key is known.
     *
     * @throws IllegalArgumentException listing every unknown key of the file
     */
    public OriginalConfig requireKnownKeys() {
        if (unknownKeys.isEmpty()) {
            return this;
        }
        List<String> listed = new ArrayList<>();
        for (String key : unknownKeys) {
            String newer = EARLIER_NAMES.get(key.toLowerCase(Locale.ROOT));
            listed.add(newer == null ? key : key + " (an earlier name of " + newer + ": rename it)");
        }
        throw new IllegalArgumentException(source + " has " + (unknownKeys.size() == 1 ? "a key" : "keys")
                + " the original event-bus does not have, which would be without effect: "
                + String.join(", ", listed) + ". Known keys: " + String.join(", ", knownKeys()));
    }

    /** Every key of the original's format this class reads, in the order of its example file. */
    public static List<String> knownKeys() {
        List<String> names = new ArrayList<>();
        IGNORED.forEach(key -> names.add(key.original()));
        KEYS.forEach(key -> names.add(key.original()));
        return names;
    }

    /** Each original key that has a counterpart here → its property, in the order of the example file. */
    public static Map<String, String> mapping() {
        Map<String, String> mapping = new LinkedHashMap<>();
        KEYS.forEach(key -> mapping.put(key.original(), key.property()));
        return Collections.unmodifiableMap(mapping);
    }

    private static Key find(List<Key> keys, String written) {
        return keys.stream().filter(key -> key.original().equalsIgnoreCase(written)).findFirst().orElse(null);
    }

    /** The value of one key in its property form, or IllegalArgumentException saying what the key allows. */
    private static String convert(Key key, Node node) {
        if (!(node instanceof ScalarNode scalar)) {
            throw new IllegalArgumentException("expected " + expected(key) + ", found " + describe(node));
        }
        boolean empty = scalar.getTag().equals(Tag.NULL) || scalar.getValue().isBlank();
        String text = empty ? "" : scalar.getValue().trim();
        if (empty && key.kind() != Kind.OPTIONAL_TEXT) {
            throw new IllegalArgumentException("no value: expected " + expected(key)
                    + " (leave the key out to keep the default)");
        }
        Kind kind = key.kind();
        if (kind.numeric()) {
            return wholeNumber(key, text);
        }
        switch (kind) {
            case BOOLEAN -> {
                String lower = text.toLowerCase(Locale.ROOT);
                if (BOOLEAN_TRUE.contains(lower)) {
                    return "true";
                }
                if (BOOLEAN_FALSE.contains(lower)) {
                    return "false";
                }
                throw new IllegalArgumentException("expected " + expected(key) + ", found '" + text + "'");
            }
            case AMQP_URL -> {
                try {
                    URI uri = new URI(text);
                    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                    if ((scheme.equals("amqp") || scheme.equals("amqps")) && uri.getHost() != null) {
                        return text;
                    }
                } catch (URISyntaxException e) {
                    // said below
                }
                // not echoed: the URL may hold a password
                throw new IllegalArgumentException("expected " + expected(key)
                        + ", found a value without the scheme amqp:// or amqps:// or without a host");
            }
            case ADDRESS -> {
                int colon = text.indexOf(':');
                if (colon != 0 && (colon < 0 || isPort(text.substring(colon + 1)))) {
                    return text;
                }
                throw new IllegalArgumentException("expected " + expected(key) + ", found '" + text + "'");
            }
            default -> {
                return empty ? "" : scalar.getValue(); // text as written (a password keeps its spaces)
            }
        }
    }

    private static String wholeNumber(Key key, String text) {
        Kind kind = key.kind();
        if (!WHOLE_NUMBER.matcher(text).matches()) {
            throw new IllegalArgumentException("expected " + expected(key) + ", found '" + text + "'");
        }
        BigInteger value = new BigInteger(text.replace("_", "").replace("+", ""));
        if (value.compareTo(BigInteger.valueOf(kind.min)) < 0 || value.compareTo(BigInteger.valueOf(kind.max)) > 0) {
            throw new IllegalArgumentException("expected " + expected(key) + ", found " + text);
        }
        return value.toString();
    }

    private static boolean isPort(String text) {
        return text.matches("[0-9]{1,5}") && Integer.parseInt(text) >= 1 && Integer.parseInt(text) <= 65535;
    }

    private static String expected(Key key) {
        Kind kind = key.kind();
        return switch (kind) {
            case COUNT, POSITIVE_COUNT, SECONDS, POSITIVE_SECONDS, PREFETCH ->
                    "a whole number from " + kind.min + " to " + kind.max;
            case PORT -> "a port number from 1 to 65535";
            case BOOLEAN -> "true or false";
            case AMQP_URL -> "an AMQP URL such as amqp://guest:guest@localhost:5672/";
            case ADDRESS -> "host:port, such as localhost:6379";
            case TEXT, OPTIONAL_TEXT -> "a single value";
        };
    }

    private static String describe(Node node) {
        return switch (node.getNodeId()) {
            case mapping -> "a mapping";
            case sequence -> "a list";
            case anchor -> "an anchor";
            case scalar -> "'" + ((ScalarNode) node).getValue() + "'";
        };
    }
}
