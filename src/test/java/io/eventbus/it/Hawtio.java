package io.eventbus.it;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Hawtio started by {@code ops/hawtio.sh}, the operator's command, on a port of its own, for a
 * bus's Jolokia. The Hawtio war and Jetty are those Maven laid out under target/hawtio before the
 * integration tests, so the script does not fetch them again.
 */
final class Hawtio implements AutoCloseable {

    private final Process process;
    private final int port;

    private Hawtio(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the script and waits until Hawtio serves its console. */
    static Hawtio start(String jolokiaUrl, File log) throws Exception {
        int port = BusNode.freePort();
        ProcessBuilder builder = new ProcessBuilder("bash", "ops/hawtio.sh", jolokiaUrl);
        builder.environment().put("HAWTIO_PORT", String.valueOf(port));
        builder.environment().put("HAWTIO_SKIP_FETCH", "true");
        Process process = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .start();
        Hawtio hawtio = new Hawtio(process, port);
        try {
            HttpClient http = HttpClient.newHttpClient();
            Awaitility.await("Hawtio serving on port " + port).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("ops/hawtio.sh exited with " + process.exitValue() + ", see " + log);
                        }
                        return http.send(HttpRequest.newBuilder(URI.create(hawtio.url("/"))).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    });
        } catch (RuntimeException | Error e) {
            hawtio.close();
            throw e;
        }
        return hawtio;
    }

    /** A page of the console, {@code path} under /hawtio. */
    String url(String path) {
        return "http://127.0.0.1:" + port + "/hawtio" + path;
    }

    /** SIGTERM (the script runs Jetty with exec, so Jetty gets it), SIGKILL after 15 s. */
    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
