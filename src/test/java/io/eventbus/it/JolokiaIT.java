package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Jolokia on eventbus.http-port, under the access policy jolokia-access.xml: reads work, route run
 * control works, attribute writes and operations the policy does not name are refused.
 */
class JolokiaIT extends BusTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private String route(String id) {
        return "org.apache.camel:context=" + bus.settings().get("camel.main.name") + ",type=routes,name=\"" + id + "\"";
    }

    /** One Jolokia request (POST, JSON), its JSON answer; Jolokia's own status is in "status". */
    private JsonNode jolokia(ObjectNode request) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + bus.httpPort() + "/observe/jolokia"))
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
        return json.readTree(response.body());
    }

    private JsonNode read(String mbean, String attribute) throws Exception {
        return jolokia(json.createObjectNode().put("type", "read").put("mbean", mbean).put("attribute", attribute));
    }

    private JsonNode exec(String mbean, String operation) throws Exception {
        return jolokia(json.createObjectNode().put("type", "exec").put("mbean", mbean).put("operation", operation));
    }

    private int ping() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bus.httpPort() + "/ping")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void readsRouteAttributesByGetAndPost() throws Exception {
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bus.httpPort()
                        + "/observe/jolokia/read/" + route("answer-ping").replace("\"", "%22") + "/RouteId")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(json.readTree(get.body()).get("value").asText()).isEqualTo("answer-ping");

        JsonNode state = read(route("report-metrics"), "State");
        assertThat(state.get("status").asInt()).as(state.toString()).isEqualTo(200);
        assertThat(state.get("value").asText()).isEqualTo("Started");
    }

    @Test
    void listsTheCamelDomain() throws Exception {
        JsonNode list = jolokia(json.createObjectNode().put("type", "search").put("mbean", "org.apache.camel:type=routes,*"));
        assertThat(list.get("status").asInt()).as(list.toString()).isEqualTo(200);
        assertThat(list.get("value").toString()).contains("answer-ping", "publish-message", "write-ledger-batch");
    }

    @Test
    void suspendsAndResumesARoute() throws Exception {
        assertThat(ping()).isEqualTo(200);

        JsonNode suspended = exec(route("answer-ping"), "suspend()");
        assertThat(suspended.get("status").asInt()).as(suspended.toString()).isEqualTo(200);
        try {
            assertThat(read(route("answer-ping"), "State").get("value").asText()).isEqualTo("Suspended");
            assertThat(ping()).isNotEqualTo(200);
        } finally {
            JsonNode resumed = exec(route("answer-ping"), "resume()");
            assertThat(resumed.get("status").asInt()).as(resumed.toString()).isEqualTo(200);
        }
        assertThat(read(route("answer-ping"), "State").get("value").asText()).isEqualTo("Started");
        assertThat(ping()).isEqualTo(200);
    }

    @Test
    void refusesAttributeWrites() throws Exception {
        boolean verbose = read("java.lang:type=Memory", "Verbose").get("value").asBoolean();
        JsonNode write = jolokia(json.createObjectNode().put("type", "write").put("mbean", "java.lang:type=Memory")
                .put("attribute", "Verbose").put("value", !verbose));
        assertThat(write.get("status").asInt()).as(write.toString()).isEqualTo(403);
        assertThat(read("java.lang:type=Memory", "Verbose").get("value").asBoolean()).isEqualTo(verbose);

        JsonNode routeWrite = jolokia(json.createObjectNode().put("type", "write").put("mbean", route("answer-ping"))
                .put("attribute", "Tracing").put("value", true));
        assertThat(routeWrite.get("status").asInt()).as(routeWrite.toString()).isEqualTo(403);
    }

    @Test
    void refusesOperationsThePolicyDoesNotName() throws Exception {
        JsonNode gc = exec("java.lang:type=Memory", "gc()");
        assertThat(gc.get("status").asInt()).as(gc.toString()).isEqualTo(403);
        assertThat(gc.get("error").asText()).contains("forbidden");

        JsonNode remove = exec(route("answer-ping"), "remove()");
        assertThat(remove.get("status").asInt()).as(remove.toString()).isEqualTo(403);
        String context = "org.apache.camel:context=" + bus.settings().get("camel.main.name") + ",type=context,name=\""
                + bus.settings().get("camel.main.name") + "\"";
        assertThat(read(context, "State").get("value").asText()).isEqualTo("Started");
        JsonNode stop = exec(context, "stop()");
        assertThat(stop.get("status").asInt()).as(stop.toString()).isEqualTo(403);

        assertThat(read(route("answer-ping"), "State").get("value").asText()).isEqualTo("Started");
        assertThat(ping()).isEqualTo(200);
    }

    @Test
    void hidesTheCommandLineAndSystemProperties() throws Exception {
        for (String attribute : new String[] {"SystemProperties", "InputArguments"}) {
            JsonNode read = read("java.lang:type=Runtime", attribute);
            assertThat(read.get("status").asInt()).as(read.toString()).isEqualTo(403);
        }
        assertThat(read("java.lang:type=Runtime", "Uptime").get("status").asInt()).isEqualTo(200);
    }
}
