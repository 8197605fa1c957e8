package io.eventbus.cli;

import io.eventbus.security.Permission;
import io.eventbus.security.Tokens;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code token}: makes a new bearer token and prints it once, with the configuration lines that
 * grant it (only its SHA-256 goes into configuration). Talks to no bus.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Makes a new bearer token for eventbus.auth.enabled=true and prints it once, then the "
                + "properties (and environment variables) that give it to the bus: its SHA-256 and its grants.",
                "Patterns: names of queues or topics, * for any characters (orders.*, *.dlq, *)."})
public final class TokenCommand implements Callable<Integer> {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    @Parameters(index = "0", paramLabel = "NAME", description = "The token's name in configuration (A-Z a-z 0-9 _ -).")
    String name;

    @Option(names = "--publish", paramLabel = "PATTERN", split = ",", description = "Queues and topics it may publish to.")
    List<String> publish = List.of();

    @Option(names = "--pull", paramLabel = "PATTERN", split = ",",
            description = "Queues it may pull from (and ack, nack, extend what it pulled).")
    List<String> pull = List.of();

    @Option(names = "--admin", paramLabel = "PATTERN", split = ",",
            description = "Queues it may administer (GetQueue, GetMessage, Redrive, Cancel, Bind); "
                    + "* also opens /stats and Jolokia from other hosts.")
    List<String> admin = List.of();

    @Option(names = "--hash", paramLabel = "TOKEN", description = "Print the SHA-256 of this existing token instead of making one.")
    String existing;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!NAME.matcher(name).matches()) {
            throw new ParameterException(spec.commandLine(), "NAME '" + name + "' is invalid: use 1-64 characters of A-Z a-z 0-9 _ -");
        }
        PrintWriter out = spec.commandLine().getOut();
        String token = existing != null ? existing : Tokens.generate(new SecureRandom());
        if (existing == null) {
            out.println("# the token: give it to the client (metadata 'authorization: Bearer <token>'); it is not shown again");
            out.println(token);
        }
        String prefix = "eventbus.auth.token." + name + ".";
        out.println("# application.properties (add " + name + " to eventbus.auth.tokens)");
        out.println(prefix + "sha256 = " + Tokens.sha256(token));
        for (Permission permission : Permission.values()) {
            List<String> patterns = patterns(permission);
            if (!patterns.isEmpty()) {
                out.println(prefix + permission.key() + " = " + String.join(", ", patterns));
            }
        }
        out.println("# or the environment");
        String env = "EVENTBUS_AUTH_TOKEN_" + name.toUpperCase(Locale.ROOT).replace('-', '_') + "_";
        out.println(env + "SHA256=" + Tokens.sha256(token));
        for (Permission permission : Permission.values()) {
            List<String> patterns = patterns(permission);
            if (!patterns.isEmpty()) {
                out.println(env + permission.key().toUpperCase(Locale.ROOT) + "='" + String.join(",", patterns) + "'");
            }
        }
        out.flush();
        return 0;
    }

    private List<String> patterns(Permission permission) {
        List<String> patterns = switch (permission) {
            case PUBLISH -> publish;
            case PULL -> pull;
            case ADMIN -> admin;
        };
        return patterns.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
    }
}
