package io.eventbus.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * Debian's headless Chromium, driven by Debian's chromedriver over the W3C WebDriver protocol
 * (JSON over HTTP, https://www.w3.org/TR/webdriver2/), to look at a web page as a person does:
 * open, click, type, read, take a screenshot. Elements are found by XPath. Each instance has its
 * own driver process and a fresh browser profile, both removed on {@link #close()}.
 *
 * <p>A client of a dozen commands rather than Selenium: Selenium's client would bring Guava's JRE
 * flavour (the bus pins Guava's Android flavour), OpenTelemetry and Byte Buddy onto the test class
 * path, for no more than these commands.
 */
final class Chromium implements AutoCloseable {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    /** The key under which WebDriver returns an element's reference. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private final Process driver;
    private final Path profile;
    private final String session;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private Chromium(Process driver, Path profile, String session) {
        this.driver = driver;
        this.profile = profile;
        this.session = session;
    }

    /** Fails, saying what to install, when Debian's chromium or chromium-driver is not there. */
    static void requireInstalled() {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new AssertionError("Chromium and its driver are needed (" + BROWSER + ", " + DRIVER
                    + "): install them with apt-get install -y chromium chromium-driver");
        }
    }

    /** Starts chromedriver and a headless browser with a window of {@code width} × {@code height}. */
    static Chromium start(int width, int height, File log) throws Exception {
        requireInstalled();
        int port = BusNode.freePort();
        Process driver = new ProcessBuilder(DRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .start();
        Path profile = Files.createTempDirectory("chromium-profile");
        try {
            String base = "http://127.0.0.1:" + port;
            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            Awaitility.await("chromedriver ready on port " + port).atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                            HttpResponse.BodyHandlers.ofString()).body()).at("/value/ready").asBoolean());
            ObjectNode options = json.createObjectNode().put("binary", BROWSER.toString());
            // --headless etc.: no display; --no-sandbox: the tests may run as root; the rest keeps
            // the browser from calling home, which hangs it on a machine without internet
            Stream.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + width + "," + height)
                    .forEach(options.putArray("args")::add);
            ObjectNode capabilities = json.createObjectNode();
            capabilities.putObject("capabilities").putObject("alwaysMatch")
                    .put("browserName", "chrome")
                    .set("goog:chromeOptions", options);
            JsonNode created = send(http, json, "POST", base + "/session", capabilities, Duration.ofSeconds(60));
            return new Chromium(driver, profile, base + "/session/" + created.get("sessionId").asText());
        } catch (Exception | Error e) {
            stop(driver);
            deleteTree(profile);
            throw e;
        }
    }

    /** One WebDriver command; its "value", or an exception with WebDriver's error and message. */
    private static JsonNode send(HttpClient http, ObjectMapper json, String method, String url, JsonNode body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Content-Type", "application/json").method(method, publisher).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode value = json.readTree(response.body()).path("value");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("WebDriver " + method + " " + url.replaceFirst(".*/session/[^/]+", "")
                    + ": " + value.path("error").asText() + ": " + value.path("message").asText().lines().findFirst().orElse(""));
        }
        return value;
    }

    private JsonNode command(String method, String path, JsonNode body) throws IOException, InterruptedException {
        return send(http, json, method, session + path, body, Duration.ofSeconds(30));
    }

    private JsonNode command(String method, String path) throws IOException, InterruptedException {
        return command(method, path, "POST".equals(method) ? json.createObjectNode() : null);
    }

    /** Loads {@code url} in the current window, waiting for the document (not its scripts' work). */
    void open(String url) throws IOException, InterruptedException {
        command("POST", "/url", json.createObjectNode().put("url", url));
    }

    /** References of the elements that match {@code xpath}, in document order. */
    List<String> find(String xpath) throws IOException, InterruptedException {
        JsonNode found = command("POST", "/elements",
                json.createObjectNode().put("using", "xpath").put("value", xpath));
        List<String> elements = new ArrayList<>();
        found.forEach(element -> elements.add(element.get(ELEMENT).asText()));
        return elements;
    }

    private String first(String xpath) throws IOException, InterruptedException {
        List<String> found = find(xpath);
        if (found.isEmpty()) {
            throw new IllegalStateException("nothing matches " + xpath);
        }
        return found.get(0);
    }

    /** Clicks the first element that matches {@code xpath}, as a mouse would. */
    void click(String xpath) throws IOException, InterruptedException {
        command("POST", "/element/" + first(xpath) + "/click");
    }

    /** Replaces the text of the first input that matches {@code xpath}, as typing would. */
    void type(String xpath, String text) throws IOException, InterruptedException {
        String input = first(xpath);
        command("POST", "/element/" + input + "/clear");
        command("POST", "/element/" + input + "/value", json.createObjectNode().put("text", text));
    }

    /** Whether the first checkbox or switch that matches {@code xpath} is on. */
    boolean selected(String xpath) throws IOException, InterruptedException {
        return command("GET", "/element/" + first(xpath) + "/selected").asBoolean();
    }

    /** The rendered text of every element that matches {@code xpath}. */
    List<String> texts(String xpath) throws IOException, InterruptedException {
        List<String> texts = new ArrayList<>();
        for (String element : find(xpath)) {
            texts.add(command("GET", "/element/" + element + "/text").asText());
        }
        return texts;
    }

    /** Handles of the open windows (tabs). */
    List<String> windows() throws IOException, InterruptedException {
        List<String> handles = new ArrayList<>();
        command("GET", "/window/handles").forEach(handle -> handles.add(handle.asText()));
        return handles;
    }

    /** Makes the window {@code handle} the one later commands act on. */
    void switchTo(String handle) throws IOException, InterruptedException {
        command("POST", "/window", json.createObjectNode().put("handle", handle));
    }

    /** The current window's URL. */
    String url() throws IOException, InterruptedException {
        return command("GET", "/url").asText();
    }

    /** The current window's visible part as PNG. */
    byte[] screenshot() throws IOException, InterruptedException {
        return Base64.getDecoder().decode(command("GET", "/screenshot").asText());
    }

    /** Ends the browser session and the driver, and removes the profile, whatever state they are in. */
    @Override
    public void close() throws Exception {
        try {
            send(http, json, "DELETE", session, null, Duration.ofSeconds(15));
        } catch (Exception e) {
            // the driver may be gone already; it is stopped below either way
        } finally {
            stop(driver);
            deleteTree(profile);
        }
    }

    /** Stops the driver and any browser process it left: SIGTERM, then SIGKILL after 10 s. */
    private static void stop(Process driver) throws InterruptedException {
        List<ProcessHandle> browser = driver.descendants().toList();
        browser.forEach(ProcessHandle::destroy);
        driver.destroy();
        if (!driver.waitFor(10, TimeUnit.SECONDS)) {
            driver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle process : browser) {
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                process.destroyForcibly();
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
