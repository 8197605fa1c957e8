package io.eventbus.broker;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** Where one queue's messages meet the calls waiting for them, on this node. */
interface Inbox {

    /** The next message: at once if one is here, else when one arrives. */
    CompletableFuture<Delivery> take() throws IOException;

    /** Up to {@code max} more messages that are here already (none: an empty list); never waits. */
    java.util.List<Delivery> takeReady(int max);

    /** A waiting call went away. */
    void forget(CompletableFuture<Delivery> call);

    /** A message taken but not handed to anyone comes back, first in line. */
    void giveBack(Delivery delivery);

    /** Starts consuming when not consuming (first call, or after the channel was lost). */
    void consume() throws IOException;

    /** How many calls wait for a message of this queue now. */
    int waitingCalls();

    /** Gives buffered messages back to the broker if nobody used the inbox for a while. */
    boolean releaseIfIdle(long idleNanos);

    /**
     * The node stops: every call waiting here ends with {@code reason}; the channel stays open, so
     * that deliveries being recorded can still be acked on it ({@link #close} comes after).
     */
    default void stopWaiting(RuntimeException reason) {
        takeWaiting().forEach(call -> call.completeExceptionally(reason));
    }

    /** Removes the calls waiting here and returns them. */
    java.util.List<CompletableFuture<Delivery>> takeWaiting();

    void close();
}
