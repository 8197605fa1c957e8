package io.eventbus.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventbus.message.BusMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The ledger's rows as the JSON arrays its statements read with JSON_TABLE. */
class LedgerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Ledger ledger = new Ledger(null, null, 1);

    @Test
    void eventRowsKeepTheirValuesAndLeaveNullsOut() throws Exception {
        Map<String, Object> row = event("m1", 1_763_800_000_123_457L);
        row.put("detail", "it's \"quoted\"\n");
        List<String> chunks = ledger.eventsJson(List.of(row, event("m2", 9_007_199_254_740_993L)));

        assertThat(chunks).hasSize(1);
        JsonNode rows = JSON.readTree(chunks.get(0));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("id").asText()).isEqualTo("m1");
        assertThat(rows.get(0).get("at").asLong()).isEqualTo(1_763_800_000_123_457L);
        assertThat(rows.get(0).get("detail").asText()).isEqualTo("it's \"quoted\"\n");
        assertThat(rows.get(1).has("detail")).as("null left out").isFalse();
        assertThat(rows.get(1).get("at").asLong()).as("a long beyond a double's precision").isEqualTo(9_007_199_254_740_993L);
    }

    @Test
    void aBatchOfLargePayloadsGoesInSeveralStatements() throws Exception {
        String payload = "AB".repeat(Ledger.CHUNK_CHARS / 4);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            Map<String, Object> row = event("m" + i, 1000L + i);
            row.put("status", "READY");
            row.put("data", payload);
            rows.add(row);
        }
        List<String> chunks = ledger.statusJson(rows);

        assertThat(chunks).hasSizeBetween(3, 5);
        List<String> ids = new ArrayList<>();
        for (String chunk : chunks) {
            assertThat(chunk.length()).isLessThan(Ledger.CHUNK_CHARS + payload.length() + 1000);
            for (JsonNode row : JSON.readTree(chunk)) {
                ids.add(row.get("id").asText());
                assertThat(row.get("data").asText()).isEqualTo(payload);
            }
        }
        assertThat(ids).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8");
    }

    @Test
    void callersWaitWhileTheBufferHoldsAsManyRowsAsItMay() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            Ledger bounded = new Ledger(camel.createProducerTemplate(), "seda:ledger-test?size=100", 3);
            BusMessage message = new BusMessage();
            message.setId("m");
            message.setQueue("q");
            bounded.recordAll(List.of(message, message), "PUBLISHED", null);
            bounded.record(message, "DELIVERED", null, null);
            assertThat(bounded.freePlaces()).isZero();

            CompletableFuture<Void> fourth = CompletableFuture.runAsync(() -> bounded.record(message, "ACKED", null, null));
            Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !fourth.isDone());
            bounded.written(2); // the writer took a batch of two
            fourth.get(5, TimeUnit.SECONDS);
            assertThat(bounded.freePlaces()).isEqualTo(1);

            // a batch larger than the whole buffer takes all of it rather than waiting forever
            bounded.written(2);
            CompletableFuture.runAsync(() -> bounded.recordAll(List.of(message, message, message, message, message),
                    "PUBLISHED", null)).get(5, TimeUnit.SECONDS);
            assertThat(bounded.freePlaces()).isZero();
        }
    }

    @Test
    void statusRowsGoInIdOrderSoThatNodesLockSharedRowsInOneOrder() throws Exception {
        Map<String, Object> delivered = event("m3", 2000L);
        delivered.put("status", "IN_FLIGHT");
        Map<String, Object> requeued = event("m3", 1500L); // older than the row before: no fold
        requeued.put("status", "READY");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> row : List.of(event("m9", 1000L), delivered, event("m1", 1000L), requeued, event("m5", 1000L))) {
            row.putIfAbsent("status", "READY");
            rows.add(row);
        }

        List<String> order = new ArrayList<>();
        for (JsonNode row : JSON.readTree(ledger.statusJson(rows).get(0))) {
            order.add(row.get("id").asText() + "@" + row.get("at").asLong());
        }
        assertThat(order).containsExactly("m1@1000", "m3@2000", "m3@1500", "m5@1000", "m9@1000");
    }

    @Test
    void statusRowsHaveHeadersAndPayloadLast() throws Exception {
        Map<String, Object> row = event("m1", 1000L);
        row.put("status", "READY");
        row.put("published_at", 900L);
        row.put("data", "0A0B");
        row.put("headers", "{}");
        JsonNode written = JSON.readTree(ledger.statusJson(List.of(row)).get(0)).get(0);

        List<String> fields = new ArrayList<>();
        written.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "queue", "status", "attempt", "published_at", "at", "headers", "data");
        assertThat(written.get("data").asText()).isEqualTo("0A0B");
    }

    @Test
    void underLoadATransientStatusWaitsOneBatchForTheMessagesNextEvent() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            Ledger loaded = new Ledger(camel.createProducerTemplate(), "seda:ledger-hold-test?size=100", 10);
            BusMessage waiting = new BusMessage();
            waiting.setId("w");
            loaded.record(waiting, "PUBLISHED", null, null); // a row waits for the writer: more batches follow

            Map<String, Object> published = status(event("m1", 1000L), "READY");
            published.put("data", "0A0B");
            assertThat(ids(loaded.statusJson(List.of(published, status(event("m2", 1000L), "ACKED")))))
                    .as("READY held back, ACKED written").containsExactly("m2@ACKED");
            assertThat(loaded.heldRows()).isEqualTo(1);

            // the next batch: the delivery folds into the held row, which goes now (held once at most)
            List<String> next = loaded.statusJson(List.of(status(event("m1", 2000L), "IN_FLIGHT"), status(event("m3", 2000L), "READY")));
            assertThat(ids(next)).containsExactly("m1@IN_FLIGHT");
            JsonNode m1 = JSON.readTree(next.get(0)).get(0);
            assertThat(m1.get("data").asText()).as("the first row's payload kept").isEqualTo("0A0B");
            assertThat(m1.get("at").asLong()).isEqualTo(2000L);
            assertThat(m1.has("held")).as("the mark is not a column").isFalse();
            assertThat(loaded.heldRows()).as("m3 held").isEqualTo(1);

            // nothing waits any more: all goes, the held row too
            loaded.written(1);
            assertThat(ids(loaded.statusJson(List.of(status(event("m4", 3000L), "READY"))))).containsExactly("m3@READY", "m4@READY");
            assertThat(loaded.heldRows()).isZero();

            // while the bus stops, nothing is held either
            loaded.record(waiting, "PUBLISHED", null, null);
            assertThat(ids(loaded.statusJson(List.of(status(event("m5", 4000L), "READY"))))).as("running").isEmpty();
            camel.stop();
            assertThat(ids(loaded.statusJson(List.of(status(event("m6", 5000L), "IN_FLIGHT"))))).containsExactly("m5@READY", "m6@IN_FLIGHT");
        }
    }

    private static Map<String, Object> status(Map<String, Object> row, String status) {
        row.put("status", status);
        row.put("published_at", 0L);
        return row;
    }

    private static List<String> ids(List<String> chunks) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String chunk : chunks) {
            for (JsonNode row : JSON.readTree(chunk)) {
                ids.add(row.get("id").asText() + "@" + row.get("status").asText());
            }
        }
        return ids;
    }

    @Test
    void noRowsNoStatement() {
        assertThat(ledger.eventsJson(List.of())).isEmpty();
    }

    private static Map<String, Object> event(String id, long at) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("event", "PUBLISHED");
        row.put("queue", "q");
        row.put("attempt", 1);
        row.put("at", at);
        row.put("detail", null);
        return row;
    }
}
