package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** HTTP on eventbus.http-port: /ping, /health with every dependency, /stats, /metrics. */
class HttpIT extends BusTestSupport {

    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.retry-times", "1");
    }

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bus.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pingAnswersPong() throws Exception {
        HttpResponse<String> response = get("/ping");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("pong");
    }

    @Test
    void healthReportsEachDependencyUp() throws Exception {
        HttpResponse<String> response = get("/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
        JsonNode health = new ObjectMapper().readTree(response.body());
        assertThat(health.get("status").asText()).isEqualTo("UP");
        assertThat(health.get("live").asBoolean()).isTrue();
        assertThat(health.get("ready").asBoolean()).isTrue();
        for (String check : new String[] {"rabbitmq", "database", "redis", "routes", "grpc"}) {
            assertThat(health.get("checks").get(check).asText()).as(check).isEqualTo("UP");
        }
    }

    @Test
    void livenessAnswersWhileTheProcessRuns() throws Exception {
        HttpResponse<String> response = get("/health/live");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(response.body()).get("status").asText()).isEqualTo("UP");
    }

    /** A metric's value in Prometheus text, or -1 when the metric is not there. */
    private static double value(String metrics, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + labels) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static PublishRequest message(String queue, String data) {
        return PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8(data)).build();
    }

    /** Pulls and acks until {@code count} were acked. */
    private void pullAndAck(String queue, int count) {
        int acked = 0;
        while (acked < count) {
            List<Message> got = bus.v1().pull(PullRequest.newBuilder().setQueue(queue)
                    .setMaxMessages(Math.min(100, count - acked)).setWaitSeconds(5).build()).getMessagesList();
            assertThat(got).as("messages pulled after %d acked", acked).isNotEmpty();
            bus.v1().ack(AckRequest.newBuilder().addAllIds(got.stream().map(Message::getId).toList()).build());
            acked += got.size();
        }
    }

    /** Issue 7 acceptance 1: after 1000 publishes the queue's publish counter says 1000. */
    @Test
    void metricsCountWhatWasPublishedDeliveredAndAckedPerQueue() throws Exception {
        String queue = queue("metrics");
        int count = 1000;
        for (int i = 0; i < count; i++) {
            bus.v1().publish(message(queue, "m" + i));
        }
        pullAndAck(queue, count);

        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        String metrics = response.body();
        String labels = "{queue=\"" + queue + "\"}";
        assertThat(value(metrics, "eventbus_publish_seconds_count", labels)).isEqualTo(count);
        assertThat(value(metrics, "eventbus_deliver_seconds_count", labels)).isEqualTo(count);
        assertThat(value(metrics, "eventbus_ack_seconds_count", labels)).isEqualTo(count);
        assertThat(metrics).contains("eventbus_publish_seconds_bucket{queue=\"" + queue + "\",le=");
        assertThat(metrics).contains("eventbus_delay_lateness_seconds_count", "eventbus_ledger_batch_rows_count",
                "camel_route_policy_seconds_count", "jvm_memory_used_bytes");
    }

    private JsonNode stats(String queue) throws Exception {
        HttpResponse<String> response = get("/stats");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
        JsonNode stats = new ObjectMapper().readTree(response.body());
        assertThat(stats.at("/node/id").asText()).isNotBlank();
        return stats.path("queues").path(queue);
    }

    /**
     * /stats per queue: 6 published, of which 1 delayed for an hour; 5 delivered; 3 acked; one
     * nacked until its retry is spent (retry-times 1 here), so dead; one left in flight.
     */
    @Test
    void statsCountEachQueuesMessagesByWhatHappenedToThem() throws Exception {
        String queue = queue("stats");
        for (int i = 0; i < 5; i++) {
            bus.v1().publish(message(queue, "s" + i));
        }
        bus.v1().publish(message(queue, "later").toBuilder().setDelaySeconds(3600).build());
        List<Message> got = new ArrayList<>();
        while (got.size() < 5) {
            List<Message> pulled = bus.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(5 - got.size())
                    .setWaitSeconds(5).build()).getMessagesList();
            assertThat(pulled).as("pulled after %d", got.size()).isNotEmpty();
            got.addAll(pulled);
        }
        bus.v1().ack(AckRequest.newBuilder().addAllIds(got.subList(0, 3).stream().map(Message::getId).toList()).build());
        String doomed = got.get(3).getId();
        bus.v1().nack(NackRequest.newBuilder().addIds(doomed).setDelaySeconds(0).build());
        // the retry comes back; nacked again, its retries are spent
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<Message> again = bus.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(1).setWaitSeconds(1)
                    .build()).getMessagesList();
            again.forEach(m -> bus.v1().nack(NackRequest.newBuilder().addIds(m.getId()).setDelaySeconds(0).build()));
            return stats(queue).path("dead").asLong() == 1;
        });

        JsonNode figures = stats(queue);
        assertThat(figures.path("published").asLong()).as("published").isEqualTo(5);
        assertThat(figures.path("delivered").asLong()).as("delivered").isEqualTo(6);
        assertThat(figures.path("acked").asLong()).as("acked").isEqualTo(3);
        assertThat(figures.path("nacked").asLong()).as("nacked").isEqualTo(2);
        assertThat(figures.path("dead").asLong()).as("dead").isEqualTo(1);
        assertThat(figures.path("inFlight").asLong()).as("in flight").isEqualTo(1);
        assertThat(figures.path("delayed").asLong()).as("delayed").isEqualTo(1);
        String metrics = get("/metrics").body();
        String labels = "{queue=\"" + queue + "\"}";
        assertThat(value(metrics, "eventbus_nacked_total", labels)).isEqualTo(2);
        assertThat(value(metrics, "eventbus_dead_lettered_total", labels)).isEqualTo(1);
    }
}
