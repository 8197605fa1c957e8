package io.eventbus.store;

import io.eventbus.broker.Combiner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.camel.ProducerTemplate;

/**
 * In-flight rows of concurrent deliveries (a compatible subscribe records one row a call), written
 * together: while one batch insert runs (route {@code insert-in-flight-rows}), the rows of calls
 * arriving meanwhile gather for the next ({@link Combiner}, on the callers' own threads). Each call
 * returns once its rows are written, so a message is still in flight before it leaves the bus.
 */
public class InFlightInserts {

    private static final Comparator<List<Object>> BY_ID = Comparator.comparing(row -> (String) row.get(0));

    private final Combiner<List<List<Object>>, Void> combiner;

    /** {@code maxCalls}: the most calls' rows one insert takes. */
    public InFlightInserts(ProducerTemplate routes, int maxCalls) {
        this.combiner = new Combiner<>(calls -> {
            List<List<Object>> rows = new ArrayList<>();
            calls.forEach(rows::addAll);
            // in id order, the order in which a sweep's or an ack's delete (id IN …) locks rows:
            // two statements that lock the same rows in one order cannot deadlock
            rows.sort(BY_ID);
            routes.requestBody("direct:insert-in-flight-rows", rows);
            return null;
        }, maxCalls);
    }

    /** Writes the rows (one parameter list a row), with those of concurrent calls. */
    public void insert(List<List<Object>> rows) {
        combiner.submit(rows);
    }
}
