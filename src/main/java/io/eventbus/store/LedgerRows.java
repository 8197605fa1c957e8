package io.eventbus.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Gathers ledger rows for one batch write: an exchange carries one row (a Map) or many (a List of
 * them, from {@link Ledger#recordAll}); the batch is the flat list of rows, and the exchange
 * property {@code ledgerRows} counts them, for the aggregate's completion predicate. Property
 * {@code ledgerPlaces} sums the entries' places in the ledger's buffer ({@link Ledger#PLACES}),
 * which the batch gives back once written.
 */
public class LedgerRows implements AggregationStrategy {

    public static final String COUNT = "ledgerRows";

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange batch, Exchange next) {
        Exchange into = batch != null ? batch : next;
        List<Map<String, Object>> rows = batch != null ? into.getMessage().getBody(List.class) : new ArrayList<>();
        Object body = next.getMessage().getBody();
        if (body instanceof List<?> many) {
            rows.addAll((List<Map<String, Object>>) many);
        } else if (body instanceof Map<?, ?> one) {
            rows.add((Map<String, Object>) one);
        }
        into.getMessage().setBody(rows);
        into.setProperty(COUNT, rows.size());
        Integer places = next.getMessage().getHeader(Ledger.PLACES, Integer.class);
        Integer held = batch != null ? into.getProperty(Ledger.PLACES, Integer.class) : null;
        into.setProperty(Ledger.PLACES, (held == null ? 0 : held) + (places == null ? 0 : places));
        return into;
    }
}
