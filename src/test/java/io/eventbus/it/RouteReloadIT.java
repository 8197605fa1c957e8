package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.PublishRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 acceptance 4: with reload enabled, an edit of a YAML route of a running bus takes effect
 * without a restart, and so does reverting it; the Java DSL routes (HTTP) keep answering. The bus
 * reads a copy of routes/ in target/, so the repository's files are never touched; the edit is
 * reverted in the copy as part of the test, and the copy is deleted after.
 */
class RouteReloadIT extends BusTestSupport {

    private final Path routes = copyOfRoutes();
    private final HttpClient http = HttpClient.newHttpClient();

    private static Path copyOfRoutes() {
        try {
            Path copy = Files.createTempDirectory(Path.of("target"), "reload-routes-").toAbsolutePath();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
                for (Path file : files) {
                    Files.copy(file, copy.resolve(file.getFileName()));
                }
            }
            return copy;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.routes-location", "file:" + routes + "/*.camel.yaml",
                "camel.main.routes-reload-enabled", "true",
                "camel.main.routes-reload-directory", routes.toString());
    }

    @AfterAll
    void deleteCopy() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(routes)) {
            for (Path file : files) {
                Files.delete(file);
            }
        }
        Files.delete(routes);
    }

    private Status.Code publish(String queue) {
        try {
            bus.v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8("x")).build());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private int ping() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bus.httpPort() + "/ping")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void anEditedYamlRouteTakesEffectWithoutARestartAndSoDoesItsRevert() throws Exception {
        String paused = queue("paused");
        String other = queue("running");
        Path publishRoutes = routes.resolve("publish.camel.yaml");
        String original = Files.readString(publishRoutes);
        String step = "        - bean: {ref: validate, method: message}\n";
        assertThat(original).contains(step);
        assertThat(publish(paused)).isEqualTo(Status.Code.OK);

        // an operator holds the publishes to one queue, in check-message
        String edited = original.replace(step, step
                + "        - filter:\n"
                + "            simple: \"${body.queue} == '" + paused + "'\"\n"
                + "            steps:\n"
                + "              - throwException: {exceptionType: io.eventbus.RefusedException, message: \"" + paused
                + " is paused\"}\n");
        try {
            Files.writeString(publishRoutes, edited);
            await().atMost(Duration.ofSeconds(30)).until(() -> publish(paused) == Status.Code.FAILED_PRECONDITION);
            assertThat(publish(other)).isEqualTo(Status.Code.OK);
            assertThat(bus.context().getRoute("answer-ping")).as("a Java DSL route after the reload").isNotNull();
            assertThat(ping()).isEqualTo(200);
        } finally {
            Files.writeString(publishRoutes, original);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> publish(paused) == Status.Code.OK);
        assertThat(ping()).isEqualTo(200);
    }
}
