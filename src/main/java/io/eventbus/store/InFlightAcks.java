package io.eventbus.store;

import io.eventbus.broker.Combiner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.ProducerTemplate;

/**
 * Acks of concurrent calls, acked together: while one batch of ids is read and deleted by the
 * route {@code ack-in-flight}, the ids of calls arriving meanwhile gather for the next (a
 * {@link Combiner}, on the callers' own threads). The compatible API's ack brings one id a call,
 * the full API's {@code Ack} a list (its Subscribe streams' acks are small and many). Each call
 * learns which of its ids were in flight and are now acked; one that was not goes the single-id
 * way (late, dead, unknown) in the routes.
 */
public class InFlightAcks {

    private final Combiner<List<String>, Set<String>> combiner;

    /** {@code maxBatch}: eventbus.max-batch, the most ids one batch reads (one call's list whatever its size). */
    public InFlightAcks(ProducerTemplate routes, int maxBatch) {
        this.combiner = new Combiner<>(lists -> {
            List<String> ids = new ArrayList<>();
            lists.forEach(ids::addAll);
            return new HashSet<>(routes.requestBody("direct:ack-in-flight", ids, List.class));
        }, maxBatch, List::size);
    }

    /** Acks the id if it is in flight, with those of concurrent calls; whether it was. */
    public boolean ack(String id) {
        return combiner.submit(List.of(id)).contains(id);
    }

    /** Acks those of the ids that are in flight, with those of concurrent calls; the ones that were, in their order. */
    public List<String> ackAll(List<String> ids) {
        Set<String> acked = combiner.submit(ids);
        return ids.stream().filter(acked::contains).distinct().toList();
    }
}
