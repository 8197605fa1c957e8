package io.eventbus.grpc;

import io.eventbus.broker.AsyncCombiner;
import io.eventbus.message.BusMessage;
import io.eventbus.message.Micros;
import io.eventbus.message.PublishCall;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Concurrent unary publish calls of plain messages (a compatible or topic {@code publish}, a
 * {@code Publish} without a delay or an idempotency key), taken by one run of the
 * {@code accept-publishes} route: while one run is under way, the calls arriving meanwhile gather,
 * and the next run checks each of their messages on its own and sends the good ones to RabbitMQ
 * with one confirm wait, as a {@code PublishBatch} does. The calls do not wait on a thread
 * ({@link AsyncCombiner}: gRPC's transport thread hands the request over and goes on; the runs go
 * back to back on one task of the call executor). A call alone runs at once. Each call gets its own
 * message back, accepted or refused; when the run fails (nothing durable took the messages), every
 * call of it fails.
 */
final class CombinedPublishes {

    private final AsyncCombiner<PublishCall, Map<PublishCall, BusMessage>> combiner;

    /**
     * {@code route}: the accept-publishes route, for the calls of one run, returning their messages
     * in the calls' order; {@code maxCalls}: the most calls one run takes; {@code executor}: where
     * the runs go.
     */
    CombinedPublishes(Function<List<PublishCall>, List<BusMessage>> route, int maxCalls, Executor executor) {
        this.combiner = new AsyncCombiner<>(calls -> {
            List<BusMessage> messages = route.apply(calls);
            Map<PublishCall, BusMessage> byCall = new IdentityHashMap<>(calls.size());
            for (int i = 0; i < calls.size(); i++) {
                byCall.put(calls.get(i), messages.get(i));
            }
            return byCall;
        }, maxCalls, executor);
    }

    /**
     * Publishes the request's message with those of concurrent calls; completes with it (accepted,
     * or with its refusal), or with the run's failure.
     */
    CompletableFuture<BusMessage> publish(Object request) {
        PublishCall call = new PublishCall(request, Micros.now());
        return combiner.submit(call).thenApply(byCall -> byCall.get(call));
    }
}
