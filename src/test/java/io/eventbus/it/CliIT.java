package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventbus.EventBusMain;
import io.eventbus.grpc.v1.GetQueueRequest;
import io.eventbus.grpc.v1.QueueInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Issue 7: the command line of the jar, run in this JVM through picocli as {@code main} runs it,
 * against a bus node: publish, subscribe (print and ack), stats, help, exit codes, and
 * {@code serve --config} refusing a file before anything starts.
 */
class CliIT extends BusTestSupport {

    @TempDir
    Path dir;

    private static Cli.Run cli(String... args) {
        return Cli.run(args);
    }

    private String target() {
        return "--target=127.0.0.1:" + bus.rpcPort();
    }

    private QueueInfo queueInfo(String queue) {
        return bus.v1().getQueue(GetQueueRequest.newBuilder().setQueue(queue).build());
    }

    @Test
    void publishedMessagesAreSubscribedPrintedAndAcked() throws Exception {
        String queue = queue("cli");
        byte[] binary = {0, (byte) 0xff, 10, 'A'};
        Path file = Files.write(dir.resolve("binary.bin"), binary);

        Cli.Run first = cli("publish", target(), "--queue", queue, "--key", "k1", "--header", "trace=t1",
                "--header", "tenant=acme", "hello from the cli");
        Cli.Run second = cli("publish", target(), "--queue", queue, "second message");
        Cli.Run third = cli("publish", target(), "--queue", queue, "--file", file.toString());
        List<String> ids = new ArrayList<>();
        for (Cli.Run run : List.of(first, second, third)) {
            assertThat(run.code()).as("publish exit code; stderr: " + run.err()).isZero();
            assertThat(run.lines()).as("publish prints the id").singleElement().asString().matches("\\S+");
            ids.add(run.lines().get(0));
        }
        assertThat(new HashSet<>(ids)).hasSize(3);

        Cli.Run subscribe = cli("subscribe", target(), "--queue", queue, "--max", "3", "--wait", "30");
        assertThat(subscribe.code()).as("subscribe exit code; stderr: " + subscribe.err()).isZero();
        assertThat(subscribe.lines()).containsExactlyInAnyOrder(
                "id=" + ids.get(0) + " attempt=1 key=k1 headers={tenant=acme, trace=t1} data=hello from the cli",
                "id=" + ids.get(1) + " attempt=1 data=second message",
                "id=" + ids.get(2) + " attempt=1 base64=" + Base64.getEncoder().encodeToString(binary));

        // acked: the ledger says so, nothing is in flight or waiting, and another subscribe finds nothing
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(bus.ledgerStatus(id)).as("ledger status of " + id).isEqualTo("ACKED");
            }
        });
        QueueInfo info = queueInfo(queue);
        assertThat(info.getReady()).as("ready").isZero();
        assertThat(info.getInFlight()).as("in flight").isZero();
        Cli.Run again = cli("subscribe", target(), "--queue", queue, "--max", "1", "--wait", "1");
        assertThat(again.code()).isZero();
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).contains("0 of 1 messages");
    }

    @Test
    void noAckLeavesTheMessageInFlight() {
        String queue = queue("cli-noack");
        Cli.Run publish = cli("publish", target(), "--queue", queue, "keep me");
        assertThat(publish.code()).as(publish.err()).isZero();
        String id = publish.lines().get(0);

        Cli.Run subscribe = cli("subscribe", target(), "--queue", queue, "--max", "1", "--wait", "30", "--no-ack");
        assertThat(subscribe.code()).as(subscribe.err()).isZero();
        assertThat(subscribe.lines()).containsExactly("id=" + id + " attempt=1 data=keep me");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(bus.ledgerStatus(id)).isEqualTo("IN_FLIGHT"));
        assertThat(queueInfo(queue).getInFlight()).isEqualTo(1);
    }

    @Test
    void countPublishesCopiesInBatchesWithAProgressBar() {
        String queue = queue("cli-count");
        Cli.Run publish = cli("publish", target(), "--queue", queue, "--count", "250", "copy");
        assertThat(publish.code()).as(publish.err()).isZero();
        assertThat(publish.lines()).hasSize(250).doesNotHaveDuplicates();
        assertThat(publish.err()).as("the progress bar's last state").contains("250/250 100%");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(queueInfo(queue).getReady()).isEqualTo(250));
    }

    @Test
    void statsShowsTheQueuesPublishedCount() throws Exception {
        String queue = queue("cli-stats");
        assertThat(cli("publish", target(), "--queue", queue, "--count", "3", "counted").code()).isZero();
        String http = "--http=127.0.0.1:" + bus.httpPort();

        Cli.Run json = cli("stats", http, "--json");
        assertThat(json.code()).as(json.err()).isZero();
        JsonNode stats = new ObjectMapper().readTree(json.out());
        assertThat(stats.path("queues").path(queue).path("published").asLong()).isEqualTo(3);

        Cli.Run table = cli("stats", http);
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.lines().get(0)).startsWith("node ");
        List<String> header = Arrays.asList(table.lines().get(1).trim().split("\\s+"));
        assertThat(header).startsWith("queue", "published", "delivered", "acked", "nacked", "dead", "inFlight",
                "delayed", "spooled", "consumers");
        List<String> row = table.lines().stream().filter(line -> line.startsWith(queue + " ")).findFirst()
                .map(line -> Arrays.asList(line.trim().split("\\s+"))).orElseThrow();
        assertThat(row.get(header.indexOf("published"))).isEqualTo("3");
    }

    @Test
    void everyCommandHasHelpNamingEachOfItsOptions() {
        Cli.Run top = cli("--help");
        assertThat(top.code()).isZero();
        Map<String, CommandLine> commands = EventBusMain.commandLine().getSubcommands();
        assertThat(commands.keySet()).containsExactlyInAnyOrder("serve", "publish", "subscribe", "stats", "bench", "token");
        commands.keySet().forEach(name -> assertThat(top.out()).contains("  " + name + " "));

        commands.forEach((name, command) -> {
            Cli.Run help = cli(name, "--help");
            assertThat(help.code()).as(name + " --help").isZero();
            assertThat(help.out()).startsWith("Usage: event-bus " + name);
            for (OptionSpec option : command.getCommandSpec().options()) {
                assertThat(help.out()).as(name + " --help names " + option.longestName()).contains(option.longestName());
                assertThat(String.join(" ", option.description())).as(name + " " + option.longestName() + " description")
                        .isNotBlank();
            }
        });
        assertThat(cli("bench", "--help").out()).contains("--lead-seconds", "--perftest-publish", "--connections");
    }

    @Test
    void usageErrorsExitWith2AndFailuresWith1WithoutAStackTrace() throws Exception {
        String queue = queue("cli-errors");
        Cli.Run unknown = cli("publish", target(), "--queue", queue, "--nope", "x");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--nope'", "event-bus publish --help");

        assertThat(cli("publsh", "x").code()).isEqualTo(2);
        assertThat(cli("publish", target(), "--queue", queue).code()).as("no data").isEqualTo(2);
        assertThat(cli("subscribe", target(), "--queue", queue, "--max", "0").code()).isEqualTo(2);
        assertThat(cli("bench", "--phases", "publish,nope").code()).isEqualTo(2);

        Cli.Run invalid = cli("publish", target(), "--queue", "no spaces allowed", "x");
        assertThat(invalid.code()).isEqualTo(1);
        assertThat(invalid.err()).startsWith("publish: INVALID_ARGUMENT: ").doesNotContain("\tat ");

        Cli.Run unreachable = cli("publish", "--target=127.0.0.1:" + BusNode.freePort(), "--queue", queue, "x");
        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.err()).startsWith("publish: UNAVAILABLE").doesNotContain("\tat ");
    }

    @Test
    void serveRefusesAConfigFileWithAnUnknownKeyBeforeStarting() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yaml"), "RetryTimes: 3\nRetryTimez: 4\n");
        long start = System.nanoTime();
        Cli.Run unknown = cli("serve", "--config", config.toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("RetryTimez").doesNotContain("\tat ");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused before a bus starts").isLessThan(Duration.ofSeconds(5));

        Path badValue = Files.writeString(dir.resolve("bad.yaml"), "HttpPort: 99999\n");
        Cli.Run bad = cli("serve", "--config", badValue.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("HttpPort");

        Cli.Run missing = cli("serve", "--config", dir.resolve("none.yaml").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("none.yaml", "no such file");
    }
}
