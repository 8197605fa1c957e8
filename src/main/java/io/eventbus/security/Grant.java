package io.eventbus.security;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What one token may do: for each {@link Permission}, the queue and topic names it covers, as
 * patterns in which {@code *} stands for any run of characters (dots included): {@code orders.*},
 * {@code *.dlq}, {@code *} for every name. No pattern, no permission.
 */
public final class Grant {

    private final String name;
    private final Map<Permission, List<String>> patterns;
    private final Map<Permission, List<Pattern>> compiled = new EnumMap<>(Permission.class);

    public Grant(String name, Map<Permission, List<String>> patterns) {
        this.name = name;
        this.patterns = Map.copyOf(patterns);
        for (Permission permission : Permission.values()) {
            compiled.put(permission, patterns.getOrDefault(permission, List.of()).stream().map(Grant::compile).toList());
        }
    }

    /** The token's name in configuration (eventbus.auth.tokens); never the token itself. */
    public String name() {
        return name;
    }

    public List<String> patterns(Permission permission) {
        return patterns.getOrDefault(permission, List.of());
    }

    /** Whether this token may do that to the queue or topic of that name. */
    public boolean allows(Permission permission, String target) {
        for (Pattern pattern : compiled.get(permission)) {
            if (pattern.matcher(target).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of its patterns is {@code *}: the permission covers every name. */
    public boolean allowsEverything(Permission permission) {
        return patterns(permission).contains("*");
    }

    private static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        int start = 0;
        for (int star = glob.indexOf('*'); star >= 0; star = glob.indexOf('*', start)) {
            if (star > start) {
                regex.append(Pattern.quote(glob.substring(start, star)));
            }
            regex.append(".*");
            start = star + 1;
        }
        if (start < glob.length()) {
            regex.append(Pattern.quote(glob.substring(start)));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return "token '" + name + "'";
    }
}
