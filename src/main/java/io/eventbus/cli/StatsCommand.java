package io.eventbus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stats}: a node's {@code GET /stats} as a table, one row a queue, or as its JSON. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Shows a node's GET /stats: the node's line, then a table with one row a queue "
                + "(published, delivered, acked, nacked, dead, in flight, delayed, spooled, consumers).")
public final class StatsCommand implements Callable<Integer> {

    /** The columns of a queue's row, in this order; fields a newer bus adds come after them. */
    static final List<String> COLUMNS = List.of("published", "delivered", "acked", "nacked", "dead", "inFlight",
            "delayed", "spooled", "consumers");

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7878",
            description = "The node's HTTP address (default: ${DEFAULT-VALUE}).")
    String http;

    @Option(names = "--json", description = "Print the JSON as the node answered it.")
    boolean json;

    /** HTTPS when given (a node with eventbus.tls.enabled and eventbus.tls.http-enabled). */
    @Mixin
    ClientTls tls;

    /** /stats answers another host only with a token with admin '*'. */
    @Mixin
    ClientToken token;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        URI uri = URI.create((tls.enabled() ? "https://" : "http://") + http + "/stats");
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (tls.enabled()) {
            builder.sslContext(tls.sslContext());
        }
        HttpClient client = builder.build();
        HttpResponse<String> response;
        try {
            response = client.send(token.apply(HttpRequest.newBuilder(uri)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failures.CommandFailure("cannot reach " + uri + ": "
                    + (e instanceof ConnectException ? "connection refused" : Failures.message(e)));
        }
        if (response.statusCode() != 200) {
            throw new Failures.CommandFailure("GET " + uri + " answered " + response.statusCode()
                    + (response.statusCode() == 404 ? " (a bus without /stats: an older version?)"
                    : response.statusCode() == 401 || response.statusCode() == 403
                    ? " (from another host /stats needs --token with admin '*')" : ""));
        }
        if (json) {
            spec.commandLine().getOut().println(response.body());
        } else {
            JsonNode stats;
            try {
                stats = new ObjectMapper().readTree(response.body());
            } catch (JsonProcessingException e) {
                throw new Failures.CommandFailure("GET " + uri + " answered something that is not JSON: "
                        + e.getOriginalMessage());
            }
            spec.commandLine().getOut().print(table(stats));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * The node's line ({@code node host:42  producers 3  consumers 1}), then a header and a row a
     * queue, names left-aligned, figures right-aligned; a field a queue lacks is {@code -}.
     */
    static String table(JsonNode stats) {
        StringBuilder text = new StringBuilder();
        JsonNode node = stats.path("node");
        if (node.isObject()) {
            text.append("node ").append(node.path("id").asText("?"));
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!field.getKey().equals("id")) {
                    text.append("  ").append(field.getKey()).append(' ').append(field.getValue().asText());
                }
            }
            text.append(System.lineSeparator());
        }
        JsonNode queues = stats.path("queues");
        if (!queues.isObject() || queues.isEmpty()) {
            return text.append("no queues yet").append(System.lineSeparator()).toString();
        }
        Set<String> columns = new LinkedHashSet<>(COLUMNS);
        queues.forEach(figures -> figures.fieldNames().forEachRemaining(columns::add));

        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("queue"));
        header.addAll(columns);
        rows.add(header.toArray(String[]::new));
        queues.fields().forEachRemaining(queue -> {
            List<String> row = new ArrayList<>(List.of(queue.getKey()));
            columns.forEach(column -> row.add(queue.getValue().has(column) ? queue.getValue().get(column).asText() : "-"));
            rows.add(row.toArray(String[]::new));
        });
        int[] widths = new int[header.size()];
        rows.forEach(row -> {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        });
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(String.format("%-" + widths[0] + "s", row[0]));
            for (int i = 1; i < row.length; i++) {
                line.append("  ").append(String.format("%" + widths[i] + "s", row[i]));
            }
            text.append(line).append(System.lineSeparator());
        }
        return text.toString();
    }
}
