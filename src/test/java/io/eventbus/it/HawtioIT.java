package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hawtio, started by ops/hawtio.sh and connected to a bus node's Jolokia the way the script tells an
 * operator to (Connect, Add connection, Connect), lists the bus's routes by id in its Camel view.
 * Headless Chromium does what the operator would; the route list is saved as
 * target/hawtio/hawtio-routes.png ({@code -Dhawtio.screenshot=docs/hawtio-routes.png} refreshes the README's copy).
 */
class HawtioIT extends BusTestSupport {

    /** Routes of several flows (routes/*.camel.yaml) that the route list must show. */
    private static final List<String> ROUTES = List.of("answer-ping", "report-metrics", "publish-message",
            "deliver-messages", "write-ledger-batch", "sweep-due-delays", "ack-message");

    /** Longest wait for one step of the console (it loads the bus's MBeans through Hawtio's proxy). */
    private static final Duration STEP = Duration.ofSeconds(30);

    private static final Path SCREENSHOT = Path.of(System.getProperty("hawtio.screenshot", "target/hawtio/hawtio-routes.png"));
    private static final Path LOGS = Path.of("target", "hawtio");

    @BeforeAll
    static void browserInstalled() {
        Chromium.requireInstalled();
    }

    /** Retries {@code step} (an element not there yet, a click on a page still drawing) up to STEP. */
    private static void step(String what, ThrowingRunnable step) {
        await(what).atMost(STEP).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(step);
    }

    @Test
    void camelRouteListShowsTheBusRoutesById() throws Exception {
        Files.createDirectories(LOGS);
        String jolokia = "http://127.0.0.1:" + bus.httpPort() + "/observe/jolokia";
        try (Hawtio hawtio = Hawtio.start(jolokia, LOGS.resolve("HawtioIT-hawtio.log").toFile());
             Chromium chromium = Chromium.start(1920, 1200, LOGS.resolve("HawtioIT-chromedriver.log").toFile())) {
            try {
                connectAndOpenRoutes(chromium, hawtio);
                await("the route list").atMost(STEP).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .untilAsserted(() -> assertThat(chromium.texts("//table[@id='camel-routes-table']/tbody/tr/td[2]"))
                                .containsAll(ROUTES));
                Files.write(SCREENSHOT, chromium.screenshot());
            } catch (Exception | AssertionError e) {
                AssertionError failed = new AssertionError(e.getMessage() + " (the page then and the logs: " + LOGS + ")", e);
                try {
                    Files.write(LOGS.resolve("HawtioIT-failure.png"), chromium.screenshot());
                } catch (Exception screenshot) {
                    failed.addSuppressed(screenshot);
                }
                throw failed;
            }
        }
    }

    /** What ops/hawtio.sh tells the operator: add a connection to the bus's Jolokia and connect. */
    private void connectAndOpenRoutes(Chromium chromium, Hawtio hawtio) throws Exception {
        chromium.open(hawtio.url("/connect"));
        step("Add connection", () -> chromium.click("//button[normalize-space()='Add connection']"));
        step("the connection form", () -> chromium.type("//input[@id='connection-form-name']", "event-bus"));
        chromium.type("//input[@id='connection-form-host']", "127.0.0.1");
        chromium.type("//input[@id='connection-form-port']", String.valueOf(bus.httpPort()));
        chromium.type("//input[@id='connection-form-path']", "/observe/jolokia");
        if (chromium.selected("//input[@id='connection-form-scheme']")) {
            // HTTPS is on by default; the bus serves plain HTTP (the switch's input sits under its label)
            chromium.click("//input[@id='connection-form-scheme']/ancestor::label");
        }
        chromium.click("//div[@role='dialog']//button[normalize-space()='Add']");

        List<String> before = chromium.windows();
        step("Connect", () -> chromium.click("//button[normalize-space()='Connect']"));
        // Hawtio opens the connection in a new window
        await("the connection's window").atMost(STEP).until(() -> chromium.windows().size() > before.size());
        List<String> windows = chromium.windows();
        windows.removeAll(before);
        chromium.switchTo(windows.get(0));

        step("the Camel tree's routes folder",
                () -> chromium.click("//*[@role='tree']//button[normalize-space()='routes']"));
        step("the route list", () -> assertThat(chromium.url()).endsWith("/camel/routes"));
    }
}
