package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** HTTP on eventbus.http-port: /ping and /health with every dependency. */
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
}
