package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** HTTP on eventbus.http-port: /ping, /health with every dependency, /metrics. */
class HttpIT extends BusTestSupport {

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
        for (String check : new String[] {"rabbitmq", "database", "redis", "routes", "grpc"}) {
            assertThat(health.get("checks").get(check).asText()).as(check).isEqualTo("UP");
        }
    }

    /** A metric's value in Prometheus text, or -1 when the metric is not there. */
    private static double value(String metrics, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + labels) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void metricsCountWhatWasPublishedDeliveredAndAckedPerQueue() throws Exception {
        String queue = queue("metrics");
        int count = 30;
        for (int i = 0; i < count; i++) {
            bus.v1().publish(io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue(queue)
                    .setData(com.google.protobuf.ByteString.copyFromUtf8("m" + i)).build());
        }
        int acked = 0;
        while (acked < count) {
            List<io.eventbus.grpc.v1.Message> got = bus.v1().pull(io.eventbus.grpc.v1.PullRequest.newBuilder().setQueue(queue)
                    .setMaxMessages(count).setWaitSeconds(5).build()).getMessagesList();
            assertThat(got).as("messages pulled after %d acked", acked).isNotEmpty();
            bus.v1().ack(io.eventbus.grpc.v1.AckRequest.newBuilder()
                    .addAllIds(got.stream().map(io.eventbus.grpc.v1.Message::getId).toList()).build());
            acked += got.size();
        }

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
}
