package io.eventbus.grpc;

import io.eventbus.broker.Combiner;
import io.eventbus.broker.Delivery;
import io.eventbus.message.BusMessage;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The deliveries of concurrent consuming calls (Pull, Subscribe streams, the compatible
 * subscribe), recorded together: while one run of the deliver route is under way, the messages
 * other calls took meanwhile gather, and the next run records them all at once ({@link Combiner},
 * on the callers' own threads). A Subscribe stream takes a few messages at a time (as many as its
 * acks freed places), a compatible subscribe one: alone, each paid a route run, a Redis lookup of
 * acked ids and a ledger hand-over of its own. Each call gets back its own delivered messages; when
 * the run fails, every call of it gets the failure (and gives its deliveries back).
 *
 * <p>Calls combine with calls of the same ack deadline only (a combiner per deadline; the calls of
 * a bench or of one consumer library ask the same), so that a combined run is one run of the
 * route: when it fails, its messages were not recorded in flight nor acked on the broker, and
 * every call of it can give its own back. (Runs for two deadlines in one batch could fail in the
 * second after the first had acked its messages, whose calls would then give back messages the
 * broker no longer held.)
 */
final class CombinedDeliveries {

    /**
     * Deadlines with a combiner of their own at most: a deadline is any number of seconds up to
     * eventbus.max-delay-seconds, and a client that varied it would otherwise add a combiner per
     * value. Calls of a deadline beyond these deliver by themselves, as before there were combiners.
     */
    static final int MAX_DEADLINES = 64;

    private final BiFunction<List<Delivery>, Integer, List<BusMessage>> deliver;
    private final int maxMessages;
    private final Map<Integer, Combiner<List<Delivery>, List<BusMessage>>> byDeadline = new ConcurrentHashMap<>();

    /**
     * {@code deliver}: the route, for a list of deliveries and one ack deadline, returning the
     * messages it delivered (those it filed left out), each still naming its {@link Delivery};
     * {@code maxMessages}: the most deliveries one run takes (at least one call's, however many).
     */
    CombinedDeliveries(BiFunction<List<Delivery>, Integer, List<BusMessage>> deliver, int maxMessages) {
        this.deliver = deliver;
        this.maxMessages = maxMessages;
    }

    /** Delivers the call's messages with those of concurrent calls; returns its own that were delivered, in order. */
    List<BusMessage> deliver(List<Delivery> deliveries, int ackDeadlineSeconds) {
        Combiner<List<Delivery>, List<BusMessage>> combiner = byDeadline.get(ackDeadlineSeconds);
        if (combiner == null) {
            if (byDeadline.size() >= MAX_DEADLINES) {
                return deliver.apply(deliveries, ackDeadlineSeconds);
            }
            combiner = byDeadline.computeIfAbsent(ackDeadlineSeconds, deadline -> new Combiner<>(
                    calls -> deliver.apply(calls.stream().flatMap(List::stream).toList(), deadline), maxMessages, List::size));
        }
        List<BusMessage> all = combiner.submit(deliveries);
        Set<Delivery> mine = Collections.newSetFromMap(new IdentityHashMap<>());
        mine.addAll(deliveries);
        return all.stream().filter(message -> mine.contains(message.getDelivery())).toList();
    }

    /** Deadlines that have a combiner (for tests). */
    int deadlines() {
        return byDeadline.size();
    }
}
