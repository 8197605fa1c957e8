package io.eventbus.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the ledger rows of one batch that concern the same message into fewer rows for the
 * {@code message} upsert. A message's publish, delivery and ack often fall into one batch; its
 * status row then takes one upsert instead of three.
 *
 * <p>The fold gives the row the upsert would leave had the rows gone one by one: a later row
 * (by its time {@code at}) sets the status and the queue, the first row that carries a topic, key,
 * headers, payload or publish time keeps it, the attempt is the highest. Two rows fold only when
 * the later one is not older than the earlier and does not drop the queue (a row without a queue
 * keeps the queue the database holds, which may be newer than the earlier row's); otherwise both
 * go, in their order.
 *
 * <p>The rows come out in id order (a message's own rows in their order): the upserts of several
 * nodes' batches then lock the message rows they share in one order, and cannot deadlock.
 */
final class StatusRows {

    /** Key of a row held back for one batch already ({@link Ledger#statusJson}); a fold keeps it. */
    static final String HELD = "held";

    private StatusRows() {
    }

    static List<Map<String, Object>> merged(List<Map<String, Object>> rows) {
        Map<String, List<Map<String, Object>>> byId = new TreeMap<>();
        for (Map<String, Object> row : rows) {
            List<Map<String, Object>> ofId = byId.computeIfAbsent((String) row.get("id"), id -> new ArrayList<>(2));
            int last = ofId.size() - 1;
            if (last >= 0 && folds(ofId.get(last), row)) {
                ofId.set(last, fold(ofId.get(last), row));
            } else {
                ofId.add(row);
            }
        }
        List<Map<String, Object>> merged = new ArrayList<>(rows.size());
        byId.values().forEach(merged::addAll);
        return merged;
    }

    private static boolean folds(Map<String, Object> earlier, Map<String, Object> later) {
        return at(later) >= at(earlier) && (later.get("queue") != null || earlier.get("queue") == null);
    }

    private static Map<String, Object> fold(Map<String, Object> earlier, Map<String, Object> later) {
        Map<String, Object> row = new HashMap<>(later);
        for (String first : new String[] {"topic", "msg_key", "headers", "data"}) {
            if (earlier.get(first) != null) {
                row.put(first, earlier.get(first));
            }
        }
        long published = ((Number) earlier.get("published_at")).longValue();
        if (published != 0) {
            row.put("published_at", published);
        }
        if (earlier.containsKey(HELD)) {
            row.put(HELD, Boolean.TRUE);
        }
        row.put("attempt", Math.max(((Number) earlier.get("attempt")).intValue(), ((Number) later.get("attempt")).intValue()));
        return row;
    }

    private static long at(Map<String, Object> row) {
        return ((Number) row.get("at")).longValue();
    }
}
