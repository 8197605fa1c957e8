package io.eventbus.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.broker.Callers;
import io.eventbus.broker.Delivery;
import io.eventbus.message.BusMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
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
     * Concurrent calls with two different ack deadlines: runs of the route combine calls of the same
     * deadline (never of two), and each call gets back exactly its own delivered messages, in its
     * order, with its own deadline.
     */
    @Test
    void concurrentCallsShareRunsAndEachGetsItsOwnMessages() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger combined = new AtomicInteger();
        AtomicInteger mixed = new AtomicInteger();
        CombinedDeliveries deliveries = new CombinedDeliveries((batch, deadline) -> {
            runs.incrementAndGet();
            if (batch.stream().map(d -> d.deliveryTag() / 1_000_000L).distinct().count() > 1) {
                combined.incrementAndGet();
            }
            // callers of even numbers ask for 30 s, odd ones for 60 s
            if (batch.stream().anyMatch(d -> (d.deliveryTag() / 1_000_000L % 2 == 0 ? 30 : 60) != deadline)) {
                mixed.incrementAndGet();
            }
            Thread.yield(); // let other calls in meanwhile
            return route(batch, deadline);
        }, 50);
        int callers = 8;
        int calls = 2000;
        Callers.run(callers, caller -> {
            int deadline = caller % 2 == 0 ? 30 : 60;
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
        });
        assertThat(combined.get()).as("runs with the messages of several calls").isPositive();
        assertThat(mixed.get()).as("runs with a message of a call of another deadline").isZero();
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

    /**
     * A call of another ack deadline neither waits for a run under way nor shares its fate: here
     * the run for 30 s is held in the route, and a call for 60 s, whose run fails, gets its failure
     * meanwhile; the held run then delivers its own.
     */
    @Test
    void aCallOfAnotherDeadlineNeitherWaitsForARunNorSharesItsFailure() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CombinedDeliveries deliveries = new CombinedDeliveries((batch, deadline) -> {
            if (deadline != 30) {
                throw new IllegalStateException("database away");
            }
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return route(batch, deadline);
        }, 50);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<BusMessage>> held = pool.submit(() -> deliveries.deliver(List.of(delivery(0, 1)), 30));
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("the 30 s run under way").isTrue();
            Future<List<BusMessage>> other = pool.submit(() -> deliveries.deliver(List.of(delivery(1, 1)), 60));
            assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
            release.countDown();
            assertThat(held.get(10, TimeUnit.SECONDS)).extracting(BusMessage::getId).containsExactly("1");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    /** A client varying its deadline does not grow a combiner per value: the calls beyond deliver by themselves. */
    @Test
    void deadlinesBeyondTheBoundDeliverByThemselves() {
        CombinedDeliveries deliveries = new CombinedDeliveries(CombinedDeliveriesTest::route, 50);
        for (int deadline = 1; deadline <= 1000; deadline++) {
            // (a tag the stand-in route does not file)
            List<BusMessage> got = deliveries.deliver(List.of(delivery(0, 7 * deadline + 1)), deadline);
            assertThat(got).extracting(BusMessage::getId).containsExactly(Integer.toString(7 * deadline + 1));
            assertThat(got.get(0).getDeadlineMicros()).isEqualTo(deadline);
        }
        assertThat(deliveries.deadlines()).isEqualTo(CombinedDeliveries.MAX_DEADLINES);
    }
}
