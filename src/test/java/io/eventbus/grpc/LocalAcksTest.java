package io.eventbus.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
        acks.watch("a", heard::add);
        acks.unwatch("a");

        acks.settled("a");

        assertThat(heard).isEmpty();
    }
}
