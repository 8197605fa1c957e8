package io.eventbus.message;

/** The bus's clock for routes: microseconds since the epoch, now and when a sweep's claim lapses. */
public class Clock {

    private final long claimSeconds;

    public Clock(long claimSeconds) {
        this.claimSeconds = claimSeconds;
    }

    public long now() {
        return Micros.now();
    }

    public long inSeconds(long seconds) {
        return Micros.now() + Micros.seconds(seconds);
    }

    /** Until when rows claimed now belong to the claiming node. */
    public long claimUntil() {
        return Micros.now() + Micros.seconds(claimSeconds);
    }
}
