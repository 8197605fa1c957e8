package io.eventbus.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class LocalAcksTest {

    private final LocalAcks acks = new LocalAcks();
    private final List<String> heard = new ArrayList<>();

    @Test
    void aWatchedDeliveryIsReportedOnceWhenSettled() {
        acks.watch("a", heard::add);
        acks.watch("b", heard::add);

        acks.settledAll(List.of("a", "x"));
        acks.settled("a");

        assertThat(heard).containsExactly("a");
    }

    @Test
    void anUnwatchedDeliveryIsNotReported() {
        Consumer<String> stream = heard::add;
        acks.watch("a", stream);
        acks.unwatch("a", stream);

        acks.settled("a");

        assertThat(heard).isEmpty();
    }

    /** A stream whose delivery passed its deadline lets go of it, not of the stream it was delivered to again. */
    @Test
    void unwatchingLeavesTheWatcherOfARedelivery() {
        Consumer<String> first = id -> heard.add("first " + id);
        Consumer<String> second = id -> heard.add("second " + id);
        acks.watch("a", first);
        acks.watch("a", second);
        acks.unwatch("a", first);

        acks.settled("a");

        assertThat(heard).containsExactly("second a");
    }
}
