package io.eventbus.message;

/** The bus's clock for routes: microseconds since the epoch, now and a number of seconds ahead. */
public class Clock {

    public long now() {
        return Micros.now();
    }

    public long inSeconds(long seconds) {
        return Micros.now() + Micros.seconds(seconds);
    }
}
