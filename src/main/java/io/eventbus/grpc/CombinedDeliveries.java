package io.eventbus.grpc;

import io.eventbus.broker.Combiner;
import io.eventbus.broker.Delivery;
import io.eventbus.message.BusMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The deliveries of concurrent consuming calls (Pull, Subscribe streams, the compatible
 * subscribe), recorded together: while one run of the deliver route is under way, the messages
 * other calls took meanwhile gather, and the next run records them all at once ({@link Combiner},
 * on the callers' own threads). A Subscribe stream takes a few messages at a time (as many as its
 * acks freed places), a compatible subscribe one: alone, each paid a route run, a Redis lookup of
 * acked ids and a ledger hand-over of its own. Each call gets back its own delivered messages; when
 * the run fails, every call of it gets the failure (and gives its deliveries back).
 */
final class CombinedDeliveries {

    /** One call's part: the deliveries it took, and the ack deadline it asks for. */
    private record Part(List<Delivery> deliveries, int ackDeadlineSeconds) {
    }

    private final Combiner<Part, List<BusMessage>> combiner;

    /**
     * {@code deliver}: the route, for a list of deliveries and one ack deadline, returning the
     * messages it delivered (those it filed left out), each still naming its {@link Delivery};
     * {@code maxMessages}: the most deliveries one run takes (at least one call's, however many).
     */
    CombinedDeliveries(BiFunction<List<Delivery>, Integer, List<BusMessage>> deliver, int maxMessages) {
        this.combiner = new Combiner<>(parts -> {
            // one run per ack deadline (the calls of a bench or of one consumer library ask the same)
            Map<Integer, List<Delivery>> byDeadline = new LinkedHashMap<>();
            parts.forEach(part -> byDeadline.computeIfAbsent(part.ackDeadlineSeconds(), d -> new ArrayList<>())
                    .addAll(part.deliveries()));
            List<BusMessage> delivered = new ArrayList<>();
            byDeadline.forEach((deadline, deliveries) -> delivered.addAll(deliver.apply(deliveries, deadline)));
            return delivered;
        }, maxMessages, part -> part.deliveries().size());
    }

    /** Delivers the call's messages with those of concurrent calls; returns its own that were delivered, in order. */
    List<BusMessage> deliver(List<Delivery> deliveries, int ackDeadlineSeconds) {
        List<BusMessage> all = combiner.submit(new Part(deliveries, ackDeadlineSeconds));
        Set<Delivery> mine = Collections.newSetFromMap(new IdentityHashMap<>());
        mine.addAll(deliveries);
        return all.stream().filter(message -> mine.contains(message.getDelivery())).toList();
    }
}
