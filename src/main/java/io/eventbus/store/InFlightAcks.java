package io.eventbus.store;

import io.eventbus.broker.Combiner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.ProducerTemplate;

/**
 * Single-id acks of concurrent calls (the compatible API's ack), acked together: while one batch of
 * ids is read and deleted by the route {@code ack-in-flight}, the ids of calls arriving meanwhile
 * gather for the next (a {@link Combiner}, on the callers' own threads). Each call learns whether
 * its id was in flight and is now acked; one that was not goes the single-id way (late, dead,
 * unknown) in the route.
 */
public class InFlightAcks {

    private final Combiner<String, Set<String>> combiner;

    /** {@code maxBatch}: eventbus.max-batch, the most ids one batch reads. */
    public InFlightAcks(ProducerTemplate routes, int maxBatch) {
        this.combiner = new Combiner<>(ids -> new HashSet<>(
                routes.requestBody("direct:ack-in-flight", new ArrayList<>(ids), List.class)), maxBatch);
    }

    /** Acks the id if it is in flight, with those of concurrent calls; whether it was. */
    public boolean ack(String id) {
        return combiner.submit(id).contains(id);
    }
}
