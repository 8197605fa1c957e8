package io.eventbus.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A {@link Combiner} for callers that must not wait (gRPC's transport threads): an item submitted
 * gets a future at once, and one task on the executor handles batches back to back while items
 * are there: those submitted while a batch is under way go together into the next. An item
 * submitted while no task runs starts one: nothing waits for company. Items are handled in the
 * order they were submitted; a batch holds at most {@code maxBatch} of them.
 */
public final class AsyncCombiner<T, R> {

    private final Function<List<T>, R> batchFunction;
    private final int maxBatch;
    private final Executor executor;
    private final ConcurrentLinkedQueue<Pending<T, R>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();

    private record Pending<T, R>(T item, CompletableFuture<R> result) {
    }

    public AsyncCombiner(Function<List<T>, R> batchFunction, int maxBatch, Executor executor) {
        this.batchFunction = batchFunction;
        this.maxBatch = maxBatch;
        this.executor = executor;
    }

    /** The result of the batch the item goes in; failed with the batch's failure. */
    public CompletableFuture<R> submit(T item) {
        Pending<T, R> pending = new Pending<>(item, new CompletableFuture<>());
        queue.add(pending);
        startIfIdle();
        return pending.result();
    }

    private void startIfIdle() {
        if (!queue.isEmpty() && running.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // the executor is shutting down: nothing will handle what waits
                running.set(false);
                for (Pending<T, R> pending; (pending = queue.poll()) != null; ) {
                    pending.result().completeExceptionally(e);
                }
            }
        }
    }

    /** Handles batches until none is waiting, then lets the next submit start a task. */
    private void drain() {
        try {
            List<Pending<T, R>> batch;
            while (!(batch = take()).isEmpty()) {
                handle(batch);
            }
        } finally {
            running.set(false);
            startIfIdle(); // an item submitted after the last take, while this task still ran
        }
    }

    private List<Pending<T, R>> take() {
        List<Pending<T, R>> batch = new ArrayList<>();
        for (Pending<T, R> next; batch.size() < maxBatch && (next = queue.poll()) != null; ) {
            batch.add(next);
        }
        return batch;
    }

    private void handle(List<Pending<T, R>> batch) {
        List<T> items = new ArrayList<>(batch.size());
        batch.forEach(pending -> items.add(pending.item()));
        try {
            R result = batchFunction.apply(items);
            batch.forEach(pending -> pending.result().complete(result));
        } catch (RuntimeException | Error e) {
            batch.forEach(pending -> pending.result().completeExceptionally(e));
        }
    }
}
