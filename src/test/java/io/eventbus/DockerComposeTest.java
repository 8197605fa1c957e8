package io.eventbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps docker-compose.yml, the Dockerfile and the README in step with the application: the
 * compose file may only set configuration keys that exist, and the image starts the jar the
 * README's run command starts, the same way.
 */
class DockerComposeTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", "."));

    private static Map<String, Object> services;
    private static Map<String, Object> eventBus;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void loadCompose() throws IOException {
        Map<String, Object> compose;
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("docker-compose.yml"))) {
            compose = new Yaml().load(reader);
        }
        services = (Map<String, Object>) compose.get("services");
        assertThat(services).as("docker-compose.yml: services").isNotNull();
        eventBus = (Map<String, Object>) services.get("event-bus");
    }

    @Test
    void eventBusServiceBuildsFromTheRepositoryAndPublishesBothPorts() {
        assertThat(eventBus).as("service event-bus in docker-compose.yml").isNotNull();

        Object build = eventBus.get("build");
        Object context = build instanceof Map<?, ?> map ? map.get("context") : build;
        assertThat(context).as("event-bus build context").isIn(".", "./");

        assertThat(publishedPorts(eventBus))
                .as("event-bus ports (host -> container)")
                .containsEntry(9091, 9091)
                .containsEntry(7878, 7878);
    }

    @Test
    void everyEventbusVariableSetsAnExistingKey() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("application.properties"))) {
            properties.load(reader);
        }
        Set<String> known = properties.stringPropertyNames().stream()
                .map(DockerComposeTest::environmentName)
                .collect(Collectors.toCollection(TreeSet::new));

        Set<String> set = environment(eventBus).keySet().stream()
                .filter(name -> name.startsWith("EVENTBUS_"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(set).as("EVENTBUS_* variables of service event-bus").isNotEmpty();

        Set<String> unknown = new TreeSet<>(set);
        unknown.removeAll(known);
        assertThat(unknown)
                .as("EVENTBUS_* variables in docker-compose.yml that match no key of application.properties "
                        + "(rule: key upper-cased, '.' and '-' become '_')")
                .isEmpty();
    }

    @Test
    void imageStartsTheJarTheReadmeRuns() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"));

        String entrypoint = lines.stream()
                .map(String::strip)
                .filter(line -> line.startsWith("ENTRYPOINT"))
                .reduce((first, second) -> second)
                .orElse("");
        Matcher exec = Pattern.compile("ENTRYPOINT\\s*\\[\\s*\"java\"\\s*,\\s*\"-jar\"\\s*,\\s*\"([^\"]+\\.jar)\"\\s*]")
                .matcher(entrypoint);
        assertThat(exec.matches())
                .as("Dockerfile ENTRYPOINT in exec form [\"java\", \"-jar\", \"<jar>\"], was: " + entrypoint)
                .isTrue();
        String imageJar = exec.group(1);

        List<String> copies = lines.stream().map(String::strip).filter(line -> line.startsWith("COPY")).toList();
        assertThat(copies)
                .as("a Dockerfile COPY of target/event-bus-*.jar to " + imageJar)
                .anyMatch(line -> line.contains("target/event-bus-") && line.endsWith(" " + imageJar));

        String jar = "target/" + artifactId() + "-" + version() + ".jar";
        List<String> runSection = section(Files.readAllLines(ROOT.resolve("README.md")), "## Run");
        assertThat(runSection).as("README.md section ## Run").isNotEmpty();
        List<String> runCommands = runSection.stream().filter(line -> line.contains("java ")).toList();
        assertThat(runCommands)
                .as("java command lines of README.md's ## Run")
                .anyMatch(line -> line.contains("java -jar target/event-bus-"))
                .anyMatch(line -> line.contains("java -jar " + jar));
    }

    @Test
    @SuppressWarnings("unchecked")
    void eventBusWaitsForHealthyDependencies() {
        Object dependsOn = eventBus.get("depends_on");
        Map<String, Object> dependencies = new LinkedHashMap<>();
        if (dependsOn instanceof Map<?, ?> map) {
            map.forEach((name, condition) -> dependencies.put(String.valueOf(name), condition));
        } else if (dependsOn instanceof Collection<?> list) {
            list.forEach(name -> dependencies.put(String.valueOf(name), null));
        }
        assertThat(dependencies.keySet())
                .as("event-bus depends_on")
                .contains("rabbitmq", "mysql", "redis");

        for (String name : List.of("rabbitmq", "mysql", "redis")) {
            Object condition = dependencies.get(name) instanceof Map<?, ?> c ? c.get("condition") : null;
            assertThat(condition).as("depends_on " + name + " condition").isEqualTo("service_healthy");
            Map<String, Object> service = (Map<String, Object>) services.get(name);
            assertThat(service).as("service " + name).isNotNull();
            assertThat(service.get("healthcheck")).as("healthcheck of service " + name).isNotNull();
        }
    }

    /** eventbus.retry-times -> EVENTBUS_RETRY_TIMES, as Camel looks keys up in the environment. */
    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** A service's environment, given as a map or as a list of NAME=value. */
    private static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> environment = new LinkedHashMap<>();
        Object value = service.get("environment");
        if (value instanceof Map<?, ?> map) {
            map.forEach((name, v) -> environment.put(String.valueOf(name), String.valueOf(v)));
        } else if (value instanceof Collection<?> list) {
            for (Object entry : list) {
                String[] pair = String.valueOf(entry).split("=", 2);
                environment.put(pair[0], pair.length > 1 ? pair[1] : "");
            }
        }
        return environment;
    }

    /** Host port -> container port, from short ("[ip:]host:container[/proto]") or long syntax. */
    private static Map<Integer, Integer> publishedPorts(Map<String, Object> service) {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        Object value = service.get("ports");
        List<Object> entries = value instanceof Collection<?> list ? new ArrayList<>(list) : List.of();
        for (Object entry : entries) {
            if (entry instanceof Map<?, ?> map && map.get("published") != null && map.get("target") != null) {
                ports.put(Integer.valueOf(String.valueOf(map.get("published"))),
                        Integer.valueOf(String.valueOf(map.get("target"))));
            } else if (entry != null) {
                String[] parts = String.valueOf(entry).replaceAll("/.*$", "").split(":");
                if (parts.length >= 2 && parts[parts.length - 2].matches("\\d+") && parts[parts.length - 1].matches("\\d+")) {
                    ports.put(Integer.valueOf(parts[parts.length - 2]), Integer.valueOf(parts[parts.length - 1]));
                }
            }
        }
        return ports;
    }

    /** The lines under a Markdown heading, up to the next heading of the same level. */
    private static List<String> section(List<String> lines, String heading) {
        List<String> section = new ArrayList<>();
        boolean inside = false;
        for (String line : lines) {
            if (line.strip().equals(heading)) {
                inside = true;
            } else if (inside && line.startsWith("## ")) {
                break;
            } else if (inside) {
                section.add(line);
            }
        }
        return section;
    }

    private static String artifactId() throws Exception {
        return pomValue("artifactId");
    }

    private static String version() throws Exception {
        return pomValue("version");
    }

    /** A direct child of the pom's project element (not of parent or dependencies). */
    private static String pomValue(String name) throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(ROOT.resolve("pom.xml").toFile()).getDocumentElement();
        for (var node = project.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element.getTextContent().strip();
            }
        }
        throw new AssertionError("pom.xml has no project/" + name);
    }
}
