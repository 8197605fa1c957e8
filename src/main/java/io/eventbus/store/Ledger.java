package io.eventbus.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.eventbus.BusException;
import io.eventbus.NotAckableException;
import io.eventbus.UnknownMessageException;
import io.eventbus.message.BusMessage;
import io.eventbus.message.Micros;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.apache.camel.ProducerTemplate;

/**
 * The ledger's vocabulary: each event of a message's life and the status it leaves the message
 * in. {@link #record} hands a row to the {@code write-ledger-batch} route, which writes rows in
 * batches; the lifecycle rules for ack and nack of messages no longer in flight live here too.
 */
public class Ledger {

    private static final Map<String, String> STATUS_AFTER = Map.ofEntries(
            Map.entry("PUBLISHED", "READY"),
            Map.entry("DELAYED", "DELAYED"),
            Map.entry("DELIVERED", "IN_FLIGHT"),
            Map.entry("ACKED", "ACKED"),
            Map.entry("NACKED", "DELAYED"),
            Map.entry("REDELIVERED", "READY"),
            Map.entry("DEAD", "DEAD"),
            Map.entry("EXPIRED", "EXPIRED"),
            Map.entry("CANCELLED", "CANCELLED"),
            Map.entry("REDRIVEN", "READY"),
            Map.entry("SPOOLED", "READY"));

    /** Events whose ledger row carries the payload, key and headers (the first one that does wins). */
    private static final java.util.Set<String> WITH_CONTENT = java.util.Set.of("PUBLISHED", "DELAYED", "DELIVERED", "SPOOLED");

    /**
     * Statuses a message usually leaves within moments (its delivery follows its publish, its ack
     * its delivery). Under load, a status row that leaves the message in one of them waits for the
     * writer's next batch, once: the message's next event then mostly folds into the same upsert
     * (in a Subscribe + Ack run a message's status row was written 1.9 times, a delayed message's
     * 3.8, where its PUBLISHED, DELIVERED and ACKED fell into different batches).
     */
    private static final java.util.Set<String> TRANSIENT = java.util.Set.of("READY", "IN_FLIGHT");

    /** Status rows of the last batch held back for the next one, at most once each (writer's thread only). */
    private List<Map<String, Object>> held = List.of();

    /** Header of a ledger entry: the places in the buffer it holds, given back once it is written. */
    public static final String PLACES = "ledgerPlaces";

    private final ProducerTemplate template;
    private final String endpoint;
    private final int capacity;
    /**
     * Rows handed to the ledger and not yet written, at most {@code capacity}: a caller waits for
     * places beyond that (the queue in front of the writer counts entries, and one entry can be a
     * whole batch of messages' rows, each with its payload).
     */
    private final Semaphore places;

    public Ledger(ProducerTemplate template, String endpoint, int capacity) {
        this.template = template;
        this.endpoint = endpoint;
        this.capacity = capacity;
        this.places = new Semaphore(capacity);
    }

    /**
     * An event that happened at {@code atMicros} (null: now). Events that follow a broker send are
     * stamped with the time of the send, not of its confirm, which may come after the consumer
     * already received the message.
     */
    public void record(BusMessage message, String event, String detail, Long atMicros) {
        Map<String, Object> row = row(message, event);
        stamp(row, event, detail, atMicros);
        send(row, 1);
    }

    /** Hands rows to the writer once there are places for them (a batch larger than all of them takes all). */
    private void send(Object rows, int count) {
        int taking = Math.min(count, capacity);
        places.acquireUninterruptibly(taking);
        try {
            template.sendBodyAndHeader(endpoint, rows, PLACES, taking);
        } catch (RuntimeException e) {
            places.release(taking);
            throw e;
        }
    }

    /** Rows taken by the writer: their places are free again; {@code taken} as the entries' headers summed. */
    public void written(Integer taken) {
        if (taken != null && taken > 0) {
            places.release(taken);
        }
    }

    /** Places in the buffer now free. */
    public int freePlaces() {
        return places.availablePermits();
    }

    private static Map<String, Object> row(BusMessage message, String event) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", message.getId());
        row.put("queue", message.getQueue());
        row.put("topic", message.getTopic());
        row.put("attempt", message.getAttempt());
        // the payload, key and headers go to SQL once: with the event that brought the message to
        // the bus, not again with later ones (a message read back from SQL, or published by the bus
        // and delivered, has them there already)
        boolean content = WITH_CONTENT.contains(event) && !message.isRecorded();
        row.put("data", content ? message.getDataHex() : null);
        row.put("msg_key", content ? message.getKey() : null);
        row.put("headers", content ? message.getHeadersJson() : null);
        row.put("published_at", message.getPublishedAtMicros());
        return row;
    }

    /**
     * The same event of many messages at {@code atMicros} (null: now), handed to the ledger as one
     * batch of rows. One method per name: Camel resolves an overloaded bean method anew on every call.
     */
    public void recordAll(List<BusMessage> messages, String event, Long atMicros) {
        if (messages.isEmpty()) {
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>(messages.size());
        for (BusMessage message : messages) {
            Map<String, Object> row = row(message, event);
            stamp(row, event, null, atMicros);
            rows.add(row);
        }
        send(rows, rows.size());
    }

    /**
     * The message_event rows of a batch as JSON arrays (the statement reads them with JSON_TABLE):
     * one string parameter a statement instead of six a row, which the MySQL driver would bind,
     * check and escape one by one. Mostly one array; more when a batch is large.
     */
    public List<String> eventsJson(List<Map<String, Object>> rows) {
        return json(rows, EVENT_FIELDS);
    }

    /**
     * The message upsert's rows of a batch (data as hex), as JSON arrays like {@link #eventsJson}:
     * the events of one message in the batch go as one row where that leaves the same status row
     * ({@link StatusRows}); every event still gets its own {@code message_event} row. While more
     * rows wait for the writer, a row with a {@link #TRANSIENT} status is held back for the next
     * batch, where the message's next events fold into it; a row is held once at most, so a status
     * is written within two batches (2 × eventbus.ledger.batch-millis) of its event. Nothing is
     * held when no rows wait (a trickle, the last batch) or while the bus stops.
     */
    public List<String> statusJson(List<Map<String, Object>> rows) {
        List<Map<String, Object>> all = rows;
        if (!held.isEmpty()) {
            all = new ArrayList<>(held.size() + rows.size());
            all.addAll(held);
            all.addAll(rows);
        }
        List<Map<String, Object>> merged = StatusRows.merged(all);
        held = List.of();
        if (moreRowsWaiting()) {
            List<Map<String, Object>> now = new ArrayList<>(merged.size());
            List<Map<String, Object>> later = new ArrayList<>();
            for (Map<String, Object> row : merged) {
                if (TRANSIENT.contains(row.get("status")) && !row.containsKey(StatusRows.HELD)) {
                    row.put(StatusRows.HELD, Boolean.TRUE);
                    later.add(row);
                } else {
                    now.add(row);
                }
            }
            held = later;
            merged = now;
        }
        return json(merged, STATUS_FIELDS);
    }

    /**
     * Rows handed to the ledger after the batch in hand (so another batch follows within
     * eventbus.ledger.batch-millis), and the bus runs (is not stopping).
     */
    private boolean moreRowsWaiting() {
        return template != null && places.availablePermits() < capacity && template.getCamelContext().isStarted();
    }

    /** Status rows held back for the writer's next batch (the writer is one thread: no other touches them). */
    int heldRows() {
        return held.size();
    }

    /*
     * The long fields last: JSON_TABLE looks for each column's field from the start of its row,
     * skipping the fields before it value by value (and for a missing one, through the whole row).
     * With the payload's hex last, no other present field's column reads past it (MariaDB: 100 000
     * status rows of 200-byte payloads read in 1.3 s against 1.5 to 1.6 s with the payload amid the
     * fields). Nulls stay out: MariaDB reads a JSON null as NULL, but whether every MySQL does is not
     * checked here, and a missing field is NULL in both.
     */
    private static final String[] EVENT_FIELDS = {"id", "event", "queue", "attempt", "at", "detail"};
    private static final String[] STATUS_FIELDS = {"id", "queue", "topic", "msg_key", "status", "attempt", "published_at", "at",
        "headers", "data"};
    /** Characters of JSON in one statement at most (a row more may follow): well below MySQL's max_allowed_packet. */
    public static final int CHUNK_CHARS = 4 << 20;
    private static final JsonFactory JSON = new JsonFactory();

    private static List<String> json(List<Map<String, Object>> rows, String[] fields) {
        List<String> chunks = new ArrayList<>(1);
        try {
            StringWriter text = null;
            JsonGenerator out = null;
            for (Map<String, Object> row : rows) {
                if (out == null) {
                    text = new StringWriter(256 * rows.size());
                    out = JSON.createGenerator(text);
                    out.writeStartArray();
                }
                out.writeStartObject();
                for (String field : fields) {
                    Object value = row.get(field);
                    if (value == null) {
                        continue; // JSON_TABLE reads a missing field as NULL
                    }
                    out.writeFieldName(field);
                    if (value instanceof Number number) {
                        out.writeNumber(number.longValue());
                    } else {
                        out.writeString(value.toString());
                    }
                }
                out.writeEndObject();
                out.flush();
                if (text.getBuffer().length() >= CHUNK_CHARS) {
                    out.writeEndArray();
                    out.close();
                    chunks.add(text.toString());
                    out = null;
                }
            }
            if (out != null) {
                out.writeEndArray();
                out.close();
                chunks.add(text.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return chunks;
    }

    /** An event of a message known only by id (for example a late ack). */
    public void recordId(String id, String event, String detail) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("queue", null);
        row.put("topic", null);
        row.put("attempt", 0);
        row.put("data", null);
        row.put("msg_key", null);
        row.put("headers", null);
        row.put("published_at", 0L);
        stamp(row, event, detail, null);
        send(row, 1);
    }

    private static void stamp(Map<String, Object> row, String event, String detail, Long atMicros) {
        String status = STATUS_AFTER.get(event);
        if (status == null) {
            throw new IllegalArgumentException("unknown ledger event " + event);
        }
        row.put("event", event);
        row.put("status", status);
        row.put("detail", detail);
        row.put("at", atMicros != null ? atMicros : Micros.now());
    }

    /**
     * Ack of a message that is not in flight: fine when it is acked already or waits in its queue
     * for redelivery (its ack deadline passed: the ack still counts, and the copy is skipped);
     * otherwise a status that says why not.
     */
    public String checkLateAck(String id, String status, boolean acked) {
        if (acked) {
            return "ACKED"; // the ledger may not show it yet: it is written a moment later
        }
        if (status == null) {
            throw new UnknownMessageException(id);
        }
        return switch (status) {
            case "ACKED", "READY", "IN_FLIGHT", "DELAYED" -> status;
            default -> throw new NotAckableException(id, status);
        };
    }

    /** A message the ledger knows, or NOT_FOUND. */
    public void checkKnown(String id, String status) {
        if (status == null) {
            throw new UnknownMessageException(id);
        }
    }

    /** Nack of a message that is not in flight: always refused, with the reason. */
    public void refuseNack(String id, String status, boolean acked) {
        if (acked || "ACKED".equals(status)) {
            throw BusException.failedPrecondition("message " + id + " was acked already and cannot be nacked");
        }
        if (status == null) {
            throw new UnknownMessageException(id);
        }
        throw BusException.failedPrecondition("message " + id + " is not in flight (status " + status
                + "): only a delivered, unacked message can be nacked");
    }
}
