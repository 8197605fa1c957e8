package io.eventbus.it;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** The packaged bus jar running as a process of its own, as users run it. */
public final class BusProcess implements AutoCloseable {

    private final Process process;
    private final int httpPort;

    private BusProcess(Process process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    /**
     * Starts {@code java -jar event-bus.jar -Dk=v…} with extra environment variables and waits until
     * GET /health says UP (gRPC serving).
     */
    public static BusProcess start(Map<String, String> settings, Map<String, String> environment, File log)
            throws Exception {
        String jar = System.getProperty("eventbus.jar");
        if (jar == null || !new File(jar).isFile()) {
            throw new IllegalStateException("the packaged jar is missing (" + jar + "): run mvn verify");
        }
        List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.add("-Xmx256m");
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .start();
        int httpPort = Integer.parseInt(settings.get("eventbus.http-port"));
        BusProcess bus = new BusProcess(process, httpPort);
        try {
            HttpClient http = HttpClient.newHttpClient();
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the bus exited with " + process.exitValue() + ", see " + log);
                        }
                        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health")).build(),
                                HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                    });
        } catch (RuntimeException e) {
            bus.kill();
            throw e;
        }
        return bus;
    }

    /** SIGTERM, then waits for the exit; returns the milliseconds it took (SIGKILL after {@code limitMillis}). */
    public long terminate(long limitMillis) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        if (!process.waitFor(limitMillis, TimeUnit.MILLISECONDS)) {
            kill();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** SIGKILL: no shutdown hook, no flush, nothing graceful. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
