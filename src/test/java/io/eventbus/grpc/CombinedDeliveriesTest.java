package io.eventbus.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.broker.Delivery;
import io.eventbus.message.BusMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CombinedDeliveriesTest {

    /** A delivery of queue q whose tag says which caller took it and which of its messages it is. */
    private static Delivery delivery(int caller, int n) {
        return new Delivery("q", null, caller * 1_000_000L + n, false, null, new byte[0]);
    }

    /**
     * A stand-in for the deliver route: a message per delivery, its deadline the run's, except that
     * every seventh delivery is filed (left out), as one acked before would be.
     */
    private static List<BusMessage> route(List<Delivery> deliveries, int ackDeadlineSeconds) {
        List<BusMessage> delivered = new ArrayList<>();
        for (Delivery delivery : deliveries) {
            if (delivery.deliveryTag() % 7 == 0) {
                continue;
            }
            BusMessage message = new BusMessage();
            message.setId(Long.toString(delivery.deliveryTag()));
            message.setDeadlineMicros(ackDeadlineSeconds);
            message.setDelivery(delivery);
            delivered.add(message);
        }
        return delivered;
    }

    /**
     * Concurrent calls with two different ack deadlines: runs of the route combine calls, and each
     * call gets back exactly its own delivered messages, in its order, with its own deadline.
     */
    @Test
    void concurrentCallsShareRunsAndEachGetsItsOwnMessages() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger combined = new AtomicInteger();
        CombinedDeliveries deliveries = new CombinedDeliveries((batch, deadline) -> {
            runs.incrementAndGet();
            if (batch.stream().map(d -> d.deliveryTag() / 1_000_000L).distinct().count() > 1) {
                combined.incrementAndGet();
            }
            Thread.yield(); // let other calls in meanwhile
            return route(batch, deadline);
        }, 50);
        int callers = 8;
        int calls = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                int deadline = caller % 2 == 0 ? 30 : 60;
                running.add(pool.submit(() -> {
                    int n = 0;
                    for (int call = 0; call < calls; call++) {
                        List<Delivery> mine = new ArrayList<>();
                        for (int k = 0; k <= call % 5; k++) {
                            mine.add(delivery(caller, ++n));
                        }
                        List<Long> expected = mine.stream().map(Delivery::deliveryTag).filter(t -> t % 7 != 0).toList();
                        List<BusMessage> got = deliveries.deliver(mine, deadline);
                        assertThat(got).extracting(m -> Long.parseLong(m.getId())).containsExactlyElementsOf(expected);
                        assertThat(got).allSatisfy(m -> assertThat(m.getDeadlineMicros()).isEqualTo(deadline));
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(combined.get()).as("runs with the messages of several calls").isPositive();
        assertThat(runs.get()).as("runs for %d calls", callers * calls).isLessThan(callers * calls);
    }

    @Test
    void aFailedRunFailsItsCallAndTheNextGoesOn() {
        CombinedDeliveries deliveries = new CombinedDeliveries((batch, deadline) -> {
            if (batch.stream().anyMatch(d -> d.deliveryTag() == 13)) {
                throw new IllegalStateException("database away");
            }
            return route(batch, deadline);
        }, 50);
        assertThatThrownBy(() -> deliveries.deliver(List.of(delivery(0, 12), delivery(0, 13)), 30))
                .isInstanceOf(IllegalStateException.class).hasMessage("database away");
        assertThat(deliveries.deliver(List.of(delivery(0, 15)), 30)).extracting(BusMessage::getId).containsExactly("15");
    }
}
