package io.eventbus.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The bearer tokens this bus knows, from configuration, where each is stored only as the
 * SHA-256 of the token (hex), beside its grants:
 *
 * <pre>
 * eventbus.auth.tokens = orders, ops
 * eventbus.auth.token.orders.sha256 = 5f1c…   (event-bus token prints it)
 * eventbus.auth.token.orders.publish = orders.*
 * eventbus.auth.token.orders.pull = orders.*, billing.events
 * eventbus.auth.token.ops.admin = *
 * </pre>
 *
 * A token is 32 random bytes, so a fast hash is enough: there is nothing to guess from it. A
 * presented token is found by its hash, so comparing it takes no time that depends on the secret.
 */
public final class Tokens {

    /** What a generated token starts with, so that one found in a log or a repository is recognised. */
    public static final String PREFIX = "ebt_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String BEARER = "bearer ";

    private final Map<String, Grant> byHash;

    private Tokens(Map<String, Grant> byHash) {
        this.byHash = Map.copyOf(byHash);
    }

    /**
     * Reads the tokens named by {@code eventbus.auth.tokens} through the given property lookup
     * (Camel's, so each key may also come from the environment). A name without a valid hash is a
     * configuration mistake: refused, naming the key.
     */
    public static Tokens configured(Function<String, Optional<String>> property) {
        String names = property.apply("eventbus.auth.tokens").orElse("");
        Map<String, Grant> byHash = new HashMap<>();
        for (String name : list(names)) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("eventbus.auth.tokens: token name '" + name
                        + "' is invalid: use 1-64 characters of A-Z a-z 0-9 _ -");
            }
            String prefix = "eventbus.auth.token." + name + ".";
            String hash = property.apply(prefix + "sha256").orElse("").trim().toLowerCase();
            if (!SHA256.matcher(hash).matches()) {
                throw new IllegalArgumentException(prefix + "sha256 must be the 64 hex digits of the token's SHA-256"
                        + " (the token command prints it)" + (hash.isEmpty() ? "; it is not set" : ""));
            }
            Map<Permission, List<String>> patterns = new EnumMap<>(Permission.class);
            for (Permission permission : Permission.values()) {
                patterns.put(permission, list(property.apply(prefix + permission.key()).orElse("")));
            }
            if (byHash.put(hash, new Grant(name, patterns)) != null) {
                throw new IllegalArgumentException(prefix + "sha256: another token has the same hash");
            }
        }
        return new Tokens(byHash);
    }

    /** The tokens of a test or a tool, without configuration. */
    public static Tokens of(Map<String, Grant> byToken) {
        Map<String, Grant> byHash = new HashMap<>();
        byToken.forEach((token, grant) -> byHash.put(sha256(token), grant));
        return new Tokens(byHash);
    }

    public boolean isEmpty() {
        return byHash.isEmpty();
    }

    public int size() {
        return byHash.size();
    }

    /** The grant of a presented token, or empty when the bus does not know it. */
    public Optional<Grant> find(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(sha256(token)));
    }

    /** The token of an {@code Authorization: Bearer <token>} value, or null when there is none. */
    public static String bearer(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }

    /** A new random token: {@value #PREFIX} and 32 random bytes, base64url. */
    public static String generate(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The SHA-256 of a token as configuration stores it: lower-case hex. */
    public static String sha256(String token) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static List<String> list(String commaSeparated) {
        List<String> items = new ArrayList<>();
        Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(items::add);
        return items;
    }
}
