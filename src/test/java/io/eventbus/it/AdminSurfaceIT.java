package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.security.Tokens;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, acceptance 3: Jolokia and /stats answer the node's own host only, by default; from
 * another address they are refused (401), unless the request carries a bus token with admin '*'
 * (auth on). /ping, /health and /metrics stay open on the configured interface.
 */
class AdminSurfaceIT extends BusTestSupport {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String outside;

    /** An address of this machine that is not loopback: a request to it comes from it, so not from loopback. */
    @BeforeAll
    void findAnOutsideAddress() throws Exception {
        for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    outside = address.getHostAddress();
                }
            }
        }
        Assumptions.assumeTrue(outside != null, "this machine has no non-loopback IPv4 address to test from");
    }

    private int status(String host, int port, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void jolokiaAndStatsAreRefusedFromAnotherAddressByDefault() throws Exception {
        int port = bus.httpPort();
        Map<String, Integer> fromOutside = new TreeMap<>();
        Map<String, Integer> fromLoopback = new TreeMap<>();
        for (String path : new String[] {"/observe/jolokia/version", "/observe/jolokia/", "/observe/jolokia", "/stats", "/ping", "/health", "/metrics"}) {
            fromOutside.put(path, status(outside, port, path, null));
            fromLoopback.put(path, status("127.0.0.1", port, path, null));
        }
        assertThat(fromOutside).containsEntry("/observe/jolokia/version", 401).containsEntry("/observe/jolokia/", 401).containsEntry("/observe/jolokia", 401)
                .containsEntry("/stats", 401).containsEntry("/ping", 200).containsEntry("/health", 200).containsEntry("/metrics", 200);
        assertThat(fromLoopback).containsOnlyKeys(fromOutside.keySet()).allSatisfy((path, code) -> assertThat(code).as(path).isEqualTo(200));
        // with auth off no token opens it
        assertThat(status(outside, port, "/observe/jolokia/version", "Bearer " + Tokens.generate(RANDOM))).isEqualTo(401);
        System.out.println("admin surface run (defaults): from " + outside + " " + fromOutside + "; from 127.0.0.1 " + fromLoopback);
    }

    @Test
    void aTokenWithAdminOnEverythingOpensThemFromAnotherAddress() throws Exception {
        String ops = Tokens.generate(RANDOM);
        String orders = Tokens.generate(RANDOM);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("eventbus.auth.enabled", "true");
        settings.put("eventbus.auth.tokens", "ops,orders");
        settings.put("eventbus.auth.token.ops.sha256", Tokens.sha256(ops));
        settings.put("eventbus.auth.token.ops.admin", "*");
        settings.put("eventbus.auth.token.orders.sha256", Tokens.sha256(orders));
        settings.put("eventbus.auth.token.orders.admin", "it.a.*");
        // Jolokia elsewhere than under /observe: the guard follows it
        settings.put("camel.management.jolokia-path", "/jmx");
        try (BusNode node = BusNode.start("AdminSurfaceIT-auth", settings)) {
            int port = node.httpPort();
            String basic = "Basic " + Base64.getEncoder().encodeToString(("ops:" + ops).getBytes(StandardCharsets.UTF_8));
            Map<String, Integer> seen = new LinkedHashMap<>();
            seen.put("jolokia, no token", status(outside, port, "/jmx/version", null));
            seen.put("jolokia, unknown token", status(outside, port, "/jmx/version", "Bearer " + Tokens.generate(RANDOM)));
            seen.put("jolokia, admin it.a.*", status(outside, port, "/jmx/version", "Bearer " + orders));
            seen.put("jolokia, admin * (Bearer)", status(outside, port, "/jmx/version", "Bearer " + ops));
            seen.put("jolokia, admin * (Basic)", status(outside, port, "/jmx/version", basic));
            seen.put("stats, no token", status(outside, port, "/stats", null));
            seen.put("stats, admin it.a.*", status(outside, port, "/stats", "Bearer " + orders));
            seen.put("stats, admin *", status(outside, port, "/stats", "Bearer " + ops));
            seen.put("stats from loopback, no token", status("127.0.0.1", port, "/stats", null));
            seen.put("metrics, no token", status(outside, port, "/metrics", null));
            assertThat(seen).containsExactly(
                    Map.entry("jolokia, no token", 401), Map.entry("jolokia, unknown token", 401),
                    Map.entry("jolokia, admin it.a.*", 403), Map.entry("jolokia, admin * (Bearer)", 200),
                    Map.entry("jolokia, admin * (Basic)", 200), Map.entry("stats, no token", 401),
                    Map.entry("stats, admin it.a.*", 403), Map.entry("stats, admin *", 200),
                    Map.entry("stats from loopback, no token", 200), Map.entry("metrics, no token", 200));
            // the stats command, from the outside address, with and without the token
            Cli.Run refused = Cli.run("stats", "--http", outside + ":" + port);
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("401", "--token");
            Cli.Run stats = Cli.run("stats", "--http", outside + ":" + port, "--token", ops, "--json");
            assertThat(stats.code()).as(stats.err()).isZero();
            assertThat(stats.out()).contains("\"queues\"");
            System.out.println("admin surface run (auth on): from " + outside + " " + seen);
        }
    }
}
