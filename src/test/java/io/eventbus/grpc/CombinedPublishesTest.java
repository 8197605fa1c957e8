package io.eventbus.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.BusException;
import io.eventbus.broker.Callers;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.message.BusMessage;
import io.eventbus.message.PublishCall;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CombinedPublishesTest {

    private static PublishRequest request(String data) {
        return PublishRequest.newBuilder().setQueue("q").setData(data).build();
    }

    /**
     * A stand-in for the accept-publishes route: a message per call, in the calls' order, its id the
     * request's data; a message whose data starts with "bad" is refused, as the validator would.
     */
    private static List<BusMessage> route(List<PublishCall> calls) {
        List<BusMessage> messages = new ArrayList<>();
        for (PublishCall call : calls) {
            BusMessage message = new BusMessage();
            message.setId(((PublishRequest) call.request()).getData());
            message.setPublishedAtMicros(call.acceptedAtMicros());
            if (message.getId().startsWith("bad")) {
                message.setRefusal(BusException.invalid("data " + message.getId() + " is bad"));
            }
            messages.add(message);
        }
        return messages;
    }

    /**
     * Concurrent calls share runs of the route, and each gets exactly its own message back: the
     * accepted ones theirs, a refused one its own refusal (the others of its run are not refused).
     */
    @Test
    void concurrentCallsShareRunsAndEachGetsItsOwnMessage() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger combined = new AtomicInteger();
        ExecutorService runner = Executors.newFixedThreadPool(2);
        CombinedPublishes publishes = new CombinedPublishes(calls -> {
            runs.incrementAndGet();
            if (calls.size() > 1) {
                combined.incrementAndGet();
            }
            Thread.yield(); // let other calls in meanwhile
            return route(calls);
        }, 50, runner);
        int callers = 8;
        int calls = 2000;
        try {
            Callers.run(callers, caller -> {
                for (int call = 0; call < calls; call++) {
                    String data = (call % 11 == 0 ? "bad-" : "ok-") + caller + "-" + call;
                    BusMessage got = publishes.publish(request(data)).join();
                    assertThat(got.getId()).isEqualTo(data);
                    if (data.startsWith("bad")) {
                        assertThat(got.getRefusal()).hasMessage("data " + data + " is bad");
                    } else {
                        assertThat(got.getRefusal()).isNull();
                    }
                    assertThat(got.getPublishedAtMicros()).isPositive();
                }
            });
        } finally {
            runner.shutdownNow();
        }
        assertThat(combined.get()).as("runs with the messages of several calls").isPositive();
        assertThat(runs.get()).as("runs for %d calls", callers * calls).isLessThan(callers * calls);
    }

    @Test
    void aFailedRunFailsItsCallAndTheNextGoesOn() {
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            CombinedPublishes publishes = new CombinedPublishes(calls -> {
                if (calls.stream().anyMatch(call -> ((PublishRequest) call.request()).getData().equals("13"))) {
                    throw new IllegalStateException("broker and database away");
                }
                return route(calls);
            }, 50, runner);
            assertThatThrownBy(() -> publishes.publish(request("13")).join())
                    .isInstanceOf(CompletionException.class).hasRootCauseMessage("broker and database away");
            assertThat(publishes.publish(request("15")).join().getId()).isEqualTo("15");
        } finally {
            runner.shutdownNow();
        }
    }
}
