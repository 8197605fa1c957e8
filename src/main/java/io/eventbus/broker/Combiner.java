package io.eventbus.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Combines what concurrent callers submit into batches, each handled by one call of a batch
 * function on one of the callers' own threads (no thread of its own): while one caller's batch is
 * under way, the items of those arriving meanwhile gather, and the next of them to lead takes them
 * all at once. A caller returns once its item's batch is done, with the batch's result or its
 * failure. Alone, a caller leads a batch of one at once: nothing waits for company.
 *
 * <p>Items of one caller keep their order (a caller waits for each); items of different callers
 * are handled in the order they were submitted. A batch holds items up to a total weight (each
 * item's weight 1 unless given), and at least one item however heavy.
 */
public final class Combiner<T, R> {

    private final Function<List<T>, R> batchFunction;
    private final int maxBatch;
    private final ToIntFunction<T> weight;
    private final ConcurrentLinkedQueue<Pending<T, R>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean leading = new AtomicBoolean();

    public Combiner(Function<List<T>, R> batchFunction, int maxBatch) {
        this(batchFunction, maxBatch, item -> 1);
    }

    /** Batches of at most {@code maxWeight} by the items' {@code weight} (e.g. the ids of a list). */
    public Combiner(Function<List<T>, R> batchFunction, int maxWeight, ToIntFunction<T> weight) {
        this.batchFunction = batchFunction;
        this.maxBatch = maxWeight;
        this.weight = weight;
    }

    /** One submitted item: its result, or the turn to lead handed to its caller. */
    private static final class Pending<T, R> {
        final T item;
        final CompletableFuture<R> result = new CompletableFuture<>();
        final CompletableFuture<Void> turn = new CompletableFuture<>();
        /**
         * Claimed once, by whichever comes first: a leader handing over the lead, or the waiting
         * caller leaving with its result. A lead handed to a caller that already left would be lost.
         */
        final AtomicBoolean claimed = new AtomicBoolean();

        Pending(T item) {
            this.item = item;
        }
    }

    /** Handles the item in a batch with others submitted meanwhile; returns the batch's result. */
    public R submit(T item) {
        Pending<T, R> mine = new Pending<>(item);
        queue.add(mine);
        // the lead is this caller's when it takes it, or when it is handed over; whoever holds it
        // gives it up in lead(), even when the item was done meanwhile by the previous leader
        boolean holding = leading.compareAndSet(false, true);
        if (!holding) {
            CompletableFuture.anyOf(mine.result, mine.turn).join();
            // leaving with the result, unless a leader handed the lead over first: then it is ours
            holding = !mine.claimed.compareAndSet(false, true);
        }
        if (holding) {
            lead(mine);
        }
        try {
            return mine.result.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    /** Handles batches until the caller's own item is done, then hands the lead to a waiting caller. */
    private void lead(Pending<T, R> mine) {
        try {
            while (!mine.result.isDone()) {
                // (the leader alone takes from the queue: what it peeks at is what it polls)
                List<Pending<T, R>> batch = new ArrayList<>();
                int taken = 0;
                for (Pending<T, R> next; (next = queue.peek()) != null; ) {
                    int heavy = weight.applyAsInt(next.item);
                    if (!batch.isEmpty() && taken + heavy > maxBatch) {
                        break;
                    }
                    batch.add(queue.poll());
                    taken += heavy;
                }
                handle(batch);
            }
        } finally {
            handOver();
        }
    }

    /**
     * Gives up the lead. An item added before has a caller that may be waiting: it leads next (one
     * added after finds the lead free itself). A caller that left meanwhile (another leader did its
     * item) cannot take it: then the next one is asked.
     */
    private void handOver() {
        while (true) {
            leading.set(false);
            Pending<T, R> waiting = queue.peek();
            if (waiting == null || !leading.compareAndSet(false, true)) {
                return;
            }
            if (waiting.claimed.compareAndSet(false, true)) {
                waiting.turn.complete(null);
                return;
            }
        }
    }

    private void handle(List<Pending<T, R>> batch) {
        List<T> items = new ArrayList<>(batch.size());
        batch.forEach(pending -> items.add(pending.item));
        try {
            R result = batchFunction.apply(items);
            batch.forEach(pending -> pending.result.complete(result));
        } catch (RuntimeException | Error e) {
            batch.forEach(pending -> pending.result.completeExceptionally(e));
        }
    }
}
