package io.eventbus.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The claims of this node's sweep rounds under way: a lease on their rows, renewed while the round
 * runs (route {@code renew-sweep-claims}). A claim lasts {@code eventbus.sweep.claim-seconds}, so
 * that a dead node's rows go to another node soon; a round that takes longer (confirms held up by a
 * slow broker) would otherwise lose its rows to another node's sweep while it still publishes them,
 * and both would publish them. A claim is renewed once a third of its time has passed since it was
 * taken or last renewed, and no longer than {@code eventbus.lock-expiration-seconds} after it was
 * taken: a round stuck that long gives its rows up.
 *
 * <p>Also what a round's chunks did ({@link Progress}): when a chunk fails, the rows of the chunks
 * published leave the table, and only the rest is given back for the next round.
 */
public class SweepClaims {

    /** A claim to renew: its token and the ids of its rows. */
    public record Held(String claim, List<String> ids) {
    }

    private static final class Round {
        final List<String> ids;
        final long takenNanos;
        volatile long renewedNanos;

        Round(List<String> ids, long nanos) {
            this.ids = ids;
            this.takenNanos = nanos;
            this.renewedNanos = nanos;
        }
    }

    private final Map<String, Round> rounds = new ConcurrentHashMap<>();
    private final long renewAfterNanos;
    private final long maxNanos;
    private final LongSupplier nanoTime;

    public SweepClaims(long claimSeconds, long lockExpirationSeconds) {
        this(claimSeconds, lockExpirationSeconds, System::nanoTime);
    }

    SweepClaims(long claimSeconds, long lockExpirationSeconds, LongSupplier nanoTime) {
        long claimNanos = Math.min(claimSeconds, lockExpirationSeconds) * 1_000_000_000L;
        this.renewAfterNanos = claimNanos / 3;
        this.maxNanos = lockExpirationSeconds * 1_000_000_000L;
        this.nanoTime = nanoTime;
    }

    /** A round took the rows {@code ids} with {@code claim}. */
    public void begin(String claim, List<String> ids) {
        rounds.put(claim, new Round(List.copyOf(ids), nanoTime.getAsLong()));
    }

    /** The round of {@code claim} is over (its rows deleted or given back): no more renewals. */
    public void end(String claim) {
        rounds.remove(claim);
    }

    /** Claims under way that are due for renewal now; each counts as renewed from now on. */
    public List<Held> toRenew() {
        if (rounds.isEmpty()) {
            return List.of();
        }
        long now = nanoTime.getAsLong();
        List<Held> due = new ArrayList<>();
        rounds.forEach((claim, round) -> {
            if (now - round.renewedNanos >= renewAfterNanos && now - round.takenNanos < maxNanos) {
                round.renewedNanos = now;
                due.add(new Held(claim, round.ids));
            }
        });
        return due;
    }

    /** Rounds under way on this node. */
    public int held() {
        return rounds.size();
    }

    /**
     * The destinations ({@code queue/topic}) of the spooled rows other rounds hold, from their
     * rows, for a {@code NOT IN} list: never empty (an empty list is no SQL), so with a name no
     * destination has.
     */
    public List<String> destinations(List<Map<String, Object>> rows) {
        List<String> held = new ArrayList<>(rows.size() + 1);
        held.add(NO_DESTINATION);
        rows.forEach(row -> held.add((String) row.get("destination")));
        return held;
    }

    /** Not a destination: '/' separates queue and topic, and no name holds a NUL. */
    private static final String NO_DESTINATION = "\u0000";

    /** What a round's chunks did: the ids published so far, and the first failure. */
    public static final class Progress {
        private final List<String> confirmed = new ArrayList<>();
        private Exception failure;

        synchronized void confirmed(List<String> ids) {
            confirmed.addAll(ids);
        }

        synchronized void failed(Exception e) {
            if (failure == null) {
                failure = e;
            }
        }

        synchronized Exception failure() {
            return failure;
        }

        synchronized List<String> snapshot() {
            return new ArrayList<>(confirmed);
        }
    }

    /** A new round's progress (its chunks may run in parallel). */
    public Progress progress() {
        return new Progress();
    }

    /** The ids of a chunk the broker confirmed (or dead-lettered) join its round's progress. */
    public void confirmed(Progress progress, List<String> ids) {
        if (progress != null) {
            progress.confirmed(ids);
        }
    }

    /** One id, as {@link #confirmed} (a name of its own: Camel resolves an overloaded method on every call). */
    public void confirmedOne(Progress progress, String id) {
        if (progress != null) {
            progress.confirmed(List.of(id));
        }
    }

    /** A chunk of the round failed (the others go on: when the round ends, none is under way). */
    public void failed(Progress progress, Exception failure) {
        progress.failed(failure);
    }

    /** Once every chunk is done: the first chunk's failure, if any, fails the round. */
    public void rethrow(Progress progress) throws Exception {
        Exception failure = progress.failure();
        if (failure != null) {
            throw failure;
        }
    }

    /** The ids the round published, for a statement. */
    public List<String> published(Progress progress) {
        return progress == null ? List.of() : progress.snapshot();
    }
}
