package io.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBusMain;
import io.eventbus.security.Permission;
import io.eventbus.security.Tokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TokenCommandTest {

    private static List<String> run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = EventBusMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(cli.execute(args)).isZero();
        return out.toString().lines().toList();
    }

    @Test
    void printsANewTokenOnceAndTheLinesThatGrantIt() {
        List<String> lines = run("token", "orders-api", "--publish", "orders.*,billing", "--admin", "*");
        String token = lines.get(1);
        assertThat(token).startsWith(Tokens.PREFIX);
        // the printed properties, read back as the bus reads its configuration, grant that token
        Map<String, String> properties = new HashMap<>();
        properties.put("eventbus.auth.tokens", "orders-api");
        lines.stream().filter(line -> line.startsWith("eventbus.auth.token.")).forEach(line -> {
            String[] keyValue = line.split(" = ", 2);
            properties.put(keyValue[0], keyValue[1]);
        });
        var grant = Tokens.configured(key -> Optional.ofNullable(properties.get(key))).find(token).orElseThrow();
        assertThat(grant.patterns(Permission.PUBLISH)).containsExactly("orders.*", "billing");
        assertThat(grant.patterns(Permission.PULL)).isEmpty();
        assertThat(grant.allowsEverything(Permission.ADMIN)).isTrue();
        assertThat(lines).contains("EVENTBUS_AUTH_TOKEN_ORDERS_API_SHA256=" + Tokens.sha256(token),
                "EVENTBUS_AUTH_TOKEN_ORDERS_API_PUBLISH='orders.*,billing'");
        assertThat(run("token", "orders-api").get(1)).as("a new one each time").isNotEqualTo(token);
    }

    @Test
    void hashesAnExistingTokenWithoutShowingIt() {
        List<String> lines = run("token", "ops", "--hash", "ebt_existing");
        assertThat(lines).contains("eventbus.auth.token.ops.sha256 = " + Tokens.sha256("ebt_existing"))
                .noneMatch(line -> line.equals("ebt_existing"));
    }
}
