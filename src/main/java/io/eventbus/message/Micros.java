package io.eventbus.message;

import java.time.Instant;

/** Wall-clock time in microseconds since the epoch, the unit of every timestamp the bus stores. */
public final class Micros {

    private Micros() {
    }

    public static long now() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000L;
    }

    public static long seconds(long seconds) {
        return seconds * 1_000_000L;
    }
}
