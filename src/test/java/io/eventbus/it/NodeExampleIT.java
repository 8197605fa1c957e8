package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.eventbus.security.TestCa;
import io.eventbus.security.Tokens;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 acceptance 5: the Node.js example of examples/node (grpc-js, the .proto files of proto/)
 * makes its round trips over both APIs against a bus node: publish, delayed publish, receive, ack.
 */
class NodeExampleIT extends BusTestSupport {

    private static final Path EXAMPLE = Path.of("examples", "node").toAbsolutePath();
    /** Written into node_modules after a successful npm ci: the SHA-256 of the package-lock.json installed. */
    private static final Path INSTALLED = EXAMPLE.resolve("node_modules").resolve(".installed-lock-sha256");
    private static final long NPM_MINUTES = 5;
    private static final long SCRIPT_SECONDS = 120;

    @Test
    void theNodeExampleRoundTripsOverBothApis() throws Exception {
        installDependencies();
        String mqQueue = queue("node-mq");
        String v1Queue = queue("node-v1");
        List<String> output = new CopyOnWriteArrayList<>();
        int exit = roundTrip(bus.rpcPort(), mqQueue, v1Queue, Map.of(), output);
        assertRoundTrips(exit, output, mqQueue, v1Queue);
    }

    /**
     * Issue 8: the same client, unchanged but for its credentials (EVENTBUS_CA_FILE, EVENTBUS_TOKEN),
     * against a node with TLS and auth on; without the token it is turned away.
     */
    @Test
    void theNodeExampleRoundTripsOverTlsWithAToken() throws Exception {
        installDependencies();
        Path dir = Path.of("target", "node-example-tls").toAbsolutePath();
        Files.createDirectories(dir);
        TestCa ca = TestCa.create("node example CA");
        TestCa.Issued server = ca.server("EC");
        Path caFile = TestCa.writeCertificates(dir.resolve("ca.crt"), ca.certificate());
        String token = Tokens.generate(new SecureRandom());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("eventbus.tls.enabled", "true");
        settings.put("eventbus.tls.cert-file", TestCa.writeCertificates(dir.resolve("server.crt"), server.certificate()).toString());
        settings.put("eventbus.tls.key-file", TestCa.writePkcs8(dir.resolve("server.key"), server.keys().getPrivate()).toString());
        settings.put("eventbus.auth.enabled", "true");
        settings.put("eventbus.auth.tokens", "node");
        settings.put("eventbus.auth.token.node.sha256", Tokens.sha256(token));
        settings.put("eventbus.auth.token.node.publish", "it.node-*");
        settings.put("eventbus.auth.token.node.pull", "it.node-*");
        String mqQueue = queue("node-mq");
        String v1Queue = queue("node-v1");
        try (BusNode secured = BusNode.start("NodeExampleIT-tls", settings)) {
            List<String> refused = new CopyOnWriteArrayList<>();
            assertThat(roundTrip(secured.rpcPort(), mqQueue, v1Queue, Map.of("EVENTBUS_CA_FILE", caFile.toString()), refused))
                    .as("without a token; output:\n%s", String.join("\n", refused)).isEqualTo(1);
            assertThat(String.join("\n", refused)).contains("UNAUTHENTICATED");

            List<String> output = new CopyOnWriteArrayList<>();
            int exit = roundTrip(secured.rpcPort(), mqQueue, v1Queue,
                    Map.of("EVENTBUS_CA_FILE", caFile.toString(), "EVENTBUS_TOKEN", token), output);
            assertRoundTrips(exit, output, mqQueue, v1Queue);
        }
    }

    /** Runs roundtrip.js against a node; its exit code, its lines in {@code output}. */
    private static int roundTrip(int rpcPort, String mqQueue, String v1Queue, Map<String, String> environment,
                                 List<String> output) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("node", "roundtrip.js", "--target", "127.0.0.1:" + rpcPort,
                "--mq-queue", mqQueue, "--v1-queue", v1Queue, "--delay", "3", "--timeout", String.valueOf(SCRIPT_SECONDS - 10))
                .directory(EXAMPLE.toFile()).redirectErrorStream(true);
        builder.environment().remove("EVENTBUS_TOKEN");
        builder.environment().remove("EVENTBUS_CA_FILE");
        builder.environment().putAll(environment);
        Process node = builder.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    System.out.println("[roundtrip.js] " + line);
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("(reading the output failed: " + e + ")");
            }
        }, "roundtrip.js output");
        reader.setDaemon(true);
        reader.start();
        if (!node.waitFor(SCRIPT_SECONDS, TimeUnit.SECONDS)) {
            node.destroyForcibly();
            fail("roundtrip.js did not end within " + SCRIPT_SECONDS + " s; its output:\n" + String.join("\n", output));
        }
        reader.join(5_000);
        return node.exitValue();
    }

    private static void assertRoundTrips(int exit, List<String> output, String mqQueue, String v1Queue) {
        String printed = String.join("\n", output);
        assertThat(exit).as("exit code of roundtrip.js; its output:\n%s", printed).isZero();
        assertThat(printed).as("the mq round trip, step by step").containsPattern(
                "mq  publish .*\\Q" + mqQueue + "\\E.*\nmq  delayPublish .*\nmq  subscribe .*\nmq  ack .*"
                + "\nmq  subscribe .* after [0-9.]+ s, not before its 3 s\nmq  ack .*\nmq: round trip ok\n");
        assertThat(printed).as("the v1 round trip, step by step").containsPattern(
                "v1  Publish .*\\Q" + v1Queue + "\\E.*\nv1  Publish .*\nv1  Pull .*same payload, key and headers.*\nv1  Ack .*"
                + "\nv1  Subscribe .* after [0-9.]+ s, not before its 3 s\nv1  Ack .*\nv1: round trip ok\n");
        assertThat(output).last().isEqualTo("all round trips ok");
    }

    /** npm ci, unless node_modules was installed from this very package-lock.json. */
    private static void installDependencies() throws Exception {
        String lock = sha256(EXAMPLE.resolve("package-lock.json"));
        if (Files.isRegularFile(INSTALLED) && Files.readString(INSTALLED).strip().equals(lock)) {
            System.out.println("[npm] node_modules is up to date with package-lock.json");
            return;
        }
        Path log = Path.of("target", "node-example-npm-ci.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        Process npm;
        try {
            npm = new ProcessBuilder("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                    "--fetch-retries=1", "--fetch-timeout=60000")
                    .directory(EXAMPLE.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("npm is not installed (Node.js 18.3 or later with npm is needed): " + e.getMessage(), e);
        }
        boolean ended = npm.waitFor(NPM_MINUTES, TimeUnit.MINUTES);
        if (!ended) {
            npm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String npmOutput = Files.readString(log);
        System.out.println("[npm] " + npmOutput.strip().replace("\n", "\n[npm] "));
        if (!ended || npm.exitValue() != 0) {
            fail((ended ? "npm ci failed with exit code " + npm.exitValue() : "npm ci did not end within " + NPM_MINUTES + " min")
                    + " in " + EXAMPLE + ": is the npm registry reachable? Its output:\n" + npmOutput);
        }
        Files.writeString(INSTALLED, lock);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
