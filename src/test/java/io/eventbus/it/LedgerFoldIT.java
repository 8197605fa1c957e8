package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventbus.store.Ledger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The ledger folds the events of one message in a batch into fewer status upserts. On MariaDB,
 * with the upsert of {@code routes/ledger.camel.yaml}: random events (in and out of time order,
 * with and without queue or content, on a row that exists or not) applied one by one leave the
 * same {@code message} row as the folded rows do.
 */
class LedgerFoldIT {

    private static final String[] STATUSES = {"READY", "DELAYED", "IN_FLIGHT", "ACKED", "DEAD"};

    @Test
    void foldedRowsLeaveTheSameStatusRowAsTheEventsOneByOne() throws Exception {
        String database = "it_ledgerfold_" + Long.toHexString(System.nanoTime());
        String upsert = upsertOfTheLedgerRoute();
        Ledger ledger = new Ledger(null, null, 1);
        Random random = new Random(42);
        int events = 0;
        int upserts = 0;
        try (Connection admin = DriverManager.getConnection(BusNode.DB_URL, "root", "");
             Statement create = admin.createStatement()) {
            create.execute("CREATE DATABASE " + database);
            try (Connection sql = DriverManager.getConnection(BusNode.DB_URL + database, "root", "");
                 Statement ddl = sql.createStatement();
                 PreparedStatement write = sql.prepareStatement(upsert)) {
                for (String migration : new String[] {"V1__ledger.sql", "V2__keys_headers.sql"}) {
                    for (String statement : migration(migration).split(";")) {
                        if (!statement.isBlank()) {
                            ddl.execute(statement);
                        }
                    }
                }
                for (int scenario = 0; scenario < 3000; scenario++) {
                    List<Map<String, Object>> oneByOne = new ArrayList<>();
                    List<Map<String, Object>> batch = new ArrayList<>();
                    boolean exists = random.nextBoolean();
                    int count = 1 + random.nextInt(4);
                    for (int e = 0; e < (exists ? count + 1 : count); e++) {
                        Map<String, Object> row = randomRow(random, e);
                        if (exists && e == 0) {
                            apply(write, ledger, withId(row, "s" + scenario));
                            apply(write, ledger, withId(row, "f" + scenario));
                            continue;
                        }
                        oneByOne.add(withId(row, "s" + scenario));
                        batch.add(withId(row, "f" + scenario));
                    }
                    for (Map<String, Object> row : oneByOne) {
                        apply(write, ledger, row);
                    }
                    // the whole batch in one statement, as the route writes it
                    for (String rows : ledger.statusJson(batch)) {
                        write.setString(1, rows);
                        write.executeUpdate();
                        upserts += countRows(rows);
                    }
                    events += batch.size();
                }
                Map<String, List<Object>> rows = new HashMap<>();
                try (ResultSet read = ddl.executeQuery("SELECT id, queue, topic, msg_key, headers, status, attempt, HEX(data),"
                        + " published_at, updated_at FROM message")) {
                    while (read.next()) {
                        List<Object> columns = new ArrayList<>();
                        for (int c = 2; c <= 10; c++) {
                            columns.add(read.getObject(c));
                        }
                        rows.put(read.getString(1), columns);
                    }
                }
                assertThat(rows).hasSize(6000);
                for (int scenario = 0; scenario < 3000; scenario++) {
                    assertThat(rows.get("f" + scenario)).as("scenario %d", scenario).isEqualTo(rows.get("s" + scenario));
                }
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(BusNode.DB_URL, "root", "");
                 Statement drop = admin.createStatement()) {
                drop.execute("DROP DATABASE IF EXISTS " + database);
            }
        }
        System.out.printf("ledger fold: %d events in 3000 batches took %d status upserts; the status rows are the same%n",
                events, upserts);
        assertThat(upserts).as("events of one message folded").isLessThan(events * 3 / 4);
    }

    private static Map<String, Object> randomRow(Random random, int index) {
        Map<String, Object> row = new HashMap<>();
        boolean content = random.nextInt(3) == 0;
        row.put("queue", random.nextInt(4) == 0 ? null : "q" + random.nextInt(2));
        row.put("topic", content && random.nextBoolean() ? "t" + random.nextInt(2) : null);
        row.put("msg_key", content ? "k" + random.nextInt(3) : null);
        row.put("headers", content ? "{\"h\":\"" + random.nextInt(3) + "\"}" : null);
        row.put("data", content ? "0A0B" + Integer.toHexString(16 + random.nextInt(200)) : null);
        row.put("status", STATUSES[random.nextInt(STATUSES.length)]);
        row.put("attempt", random.nextInt(3));
        row.put("published_at", random.nextBoolean() ? 0L : 1000L + random.nextInt(5));
        // mostly in time order, as events are recorded; sometimes not (a send stamped before its confirm)
        row.put("at", random.nextInt(4) == 0 ? 100L + random.nextInt(400) : 100L * (index + 1));
        return row;
    }

    private static Map<String, Object> withId(Map<String, Object> row, String id) {
        Map<String, Object> copy = new HashMap<>(row);
        copy.put("id", id);
        return copy;
    }

    /** One row by itself, in a statement of its own (one row folds with nothing). */
    private static void apply(PreparedStatement write, Ledger ledger, Map<String, Object> row) throws Exception {
        List<String> rows = ledger.statusJson(List.of(row));
        assertThat(rows).hasSize(1);
        assertThat(countRows(rows.get(0))).isEqualTo(1);
        write.setString(1, rows.get(0));
        write.executeUpdate();
    }

    /** The status rows in one of the ledger's JSON arrays. */
    private static int countRows(String json) throws IOException {
        return new ObjectMapper().readTree(json).size();
    }

    private static String upsertOfTheLedgerRoute() throws IOException {
        Matcher uri = Pattern.compile("uri: \"sql:(INSERT INTO message \\(.*)\"").matcher(Files.readString(Path.of("routes/ledger.camel.yaml")));
        assertThat(uri.find()).as("the ledger route's message upsert").isTrue();
        return uri.group(1).replace(":#ledgerJson", "?");
    }

    private static String migration(String name) throws IOException {
        return Files.readString(Path.of("src/main/resources/db/migration", name)).replaceAll("(?m)^--.*$", "");
    }
}
