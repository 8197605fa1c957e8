package io.eventbus.grpc;

import io.eventbus.broker.Delivery;
import io.eventbus.broker.Inboxes;
import io.eventbus.message.BusMessage;
import io.eventbus.message.Micros;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.camel.ProducerTemplate;

/**
 * Hands gRPC calls to routes. A unary call is one request-reply on a {@code direct:} route. A
 * consuming call (subscribe, Pull, the Subscribe stream) first prepares on a route (validate,
 * declare, bind), then waits for messages as futures on the queue's inbox, holding no thread,
 * and delivers them on the {@code deliver-messages} route, with whatever else of the queue the
 * node holds at that moment (one batch).
 */
public class RouteCalls {

    static final String DELIVER = "direct:deliver-messages";
    static final String STILL_IN_FLIGHT = "direct:still-in-flight";
    static final String RELEASE_IN_FLIGHT = "direct:release-in-flight";
    static final String PUBLISHES = "direct:publishes";
    /**
     * The methods whose calls run on gRPC's transport thread instead of the call executor: they
     * never block there (a plain publish is handed to {@link CombinedPublishes}, any other goes on
     * to the executor), which saves a hand-over between threads per call.
     */
    public static final java.util.Set<String> DIRECT_METHODS = java.util.Set.of(
            io.eventbus.grpc.mq.MqGrpc.getPublishMethod().getFullMethodName(),
            io.eventbus.grpc.mq.MqTopicGrpc.getPublishMethod().getFullMethodName(),
            io.eventbus.grpc.v1.EventBusGrpc.getPublishMethod().getFullMethodName());

    private final ProducerTemplate template;
    private final Inboxes inboxes;
    private final Executor executor;
    private final ScheduledExecutorService timers;
    private final long lingerNanos;
    private final long streamCheckMillis;
    private final LocalAcks localAcks;
    private final CombinedDeliveries deliveries;
    private final CombinedPublishes publishes;

    /** {@code maxBatch}: the most messages one run of the deliver or publish route takes for concurrent calls. */
    @SuppressWarnings("unchecked")
    public RouteCalls(ProducerTemplate template, Inboxes inboxes, Executor executor, ScheduledExecutorService timers,
                      long lingerMillis, long streamCheckMillis, LocalAcks localAcks, int maxBatch) {
        this.template = template;
        this.inboxes = inboxes;
        this.executor = executor;
        this.timers = timers;
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMillis);
        this.streamCheckMillis = streamCheckMillis;
        this.localAcks = localAcks;
        this.deliveries = new CombinedDeliveries((batch, ackDeadlineSeconds) -> template.requestBodyAndHeader(
                DELIVER, batch, "ackDeadlineSeconds", ackDeadlineSeconds, List.class), maxBatch);
        this.publishes = new CombinedPublishes(calls -> template.requestBody(PUBLISHES, calls, List.class), maxBatch, executor);
    }

    @SuppressWarnings("unchecked")
    public <T> void unary(String endpoint, Object request, StreamObserver<T> observer) {
        T reply;
        try {
            reply = (T) template.requestBody(endpoint, request);
        } catch (Throwable e) {
            observer.onError(Statuses.of(e));
            return;
        }
        observer.onNext(reply);
        observer.onCompleted();
    }

    /**
     * A unary publish of a plain message (no delay, no idempotency key: see {@link CombinedPublishes}),
     * in one run of the publish route with those of concurrent calls; the reply is made of its own
     * message, or the call fails with that message's refusal. Returns at once: the call is answered
     * from the run's thread (so this may run on gRPC's transport thread, see {@link #DIRECT_METHODS}).
     */
    public <T> void publish(Object request, StreamObserver<T> observer, Function<BusMessage, T> reply) {
        publishes.publish(request).whenComplete((message, error) -> {
            Throwable failure = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (failure == null) {
                failure = message.getRefusal();
            }
            if (failure != null) {
                observer.onError(Statuses.of(stopping(failure)));
                return;
            }
            T answer;
            try {
                answer = reply.apply(message);
            } catch (Throwable e) {
                observer.onError(Statuses.of(e));
                return;
            }
            observer.onNext(answer);
            observer.onCompleted();
        });
    }

    /** {@link #unary}, on the call executor: for a method that runs on gRPC's transport thread but may block here. */
    public <T> void unaryOnExecutor(String endpoint, Object request, StreamObserver<T> observer) {
        try {
            executor.execute(() -> unary(endpoint, request, observer));
        } catch (RejectedExecutionException e) {
            observer.onError(Statuses.of(stopping(e)));
        }
    }

    /** The call executor refusing work means the node stops: the caller is to retry elsewhere. */
    private static Throwable stopping(Throwable failure) {
        return failure instanceof RejectedExecutionException ? new CancellationException("the bus node is stopping") : failure;
    }

    /**
     * Waits for up to {@code max} messages of the queue the prepare route names: replies once
     * {@code max} are delivered, or once none followed the last one within the linger time, or once
     * {@code waitSeconds} passed ({@code waitSeconds < 0}: until the call ends).
     */
    public <T> void gather(String prepareEndpoint, Object request, int max, long waitSeconds, int ackDeadlineSeconds,
                           StreamObserver<T> observer, Function<List<BusMessage>, T> reply) {
        String queue;
        try {
            queue = template.requestBody(prepareEndpoint, request, String.class);
        } catch (Throwable e) {
            observer.onError(Statuses.of(e));
            return;
        }
        ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) observer;
        long deadline = waitSeconds < 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        Gather<T> gather = new Gather<>(queue, max, deadline, ackDeadlineSeconds, call, reply);
        call.setOnCancelHandler(gather::cancel);
        gather.next();
    }

    /** Streams the queue the prepare route names, at most {@code maxInFlight} unacked at a time. */
    public <T> void stream(String prepareEndpoint, Object request, int maxInFlight, int ackDeadlineSeconds,
                           StreamObserver<T> observer, Function<BusMessage, T> reply) {
        String queue;
        try {
            queue = template.requestBody(prepareEndpoint, request, String.class);
        } catch (Throwable e) {
            observer.onError(Statuses.of(e));
            return;
        }
        ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) observer;
        Stream<T> stream = new Stream<>(queue, maxInFlight, ackDeadlineSeconds, call, reply);
        call.setOnCancelHandler(stream::cancel);
        stream.start();
    }

    /**
     * Delivers a message from the broker and up to {@code more} others of its queue that are at hand:
     * in flight in SQL (one batch, with the messages of concurrent calls), acked on the broker.
     * Returns the delivered ones (a message filed instead is left out). When they cannot be
     * recorded, all go back and the error is thrown.
     */
    private List<BusMessage> deliver(Delivery first, int more, int ackDeadlineSeconds) {
        List<Delivery> batch = new ArrayList<>();
        batch.add(first);
        try {
            batch.addAll(inboxes.takeReady(first.queue(), more));
            return deliveries.deliver(batch, ackDeadlineSeconds);
        } catch (RuntimeException e) {
            batch.forEach(inboxes::reject);
            throw e;
        }
    }

    private static boolean cancelled(Throwable error) {
        return error instanceof CancellationException
                || error instanceof CompletionException && error.getCause() instanceof CancellationException;
    }

    /** One Pull (or compatible subscribe): gathers deliveries until it has enough or time is up. */
    private final class Gather<T> {
        private final String queue;
        private final int max;
        private final long deadlineNanos;
        private final int ackDeadlineSeconds;
        private final ServerCallStreamObserver<T> call;
        private final Function<List<BusMessage>, T> reply;
        private final List<BusMessage> gathered = new ArrayList<>();
        private CompletableFuture<Delivery> waiting;
        private ScheduledFuture<?> timer;
        private boolean done;

        Gather(String queue, int max, long deadlineNanos, int ackDeadlineSeconds, ServerCallStreamObserver<T> call,
               Function<List<BusMessage>, T> reply) {
            this.queue = queue;
            this.max = max;
            this.deadlineNanos = deadlineNanos;
            this.ackDeadlineSeconds = ackDeadlineSeconds;
            this.call = call;
            this.reply = reply;
        }

        synchronized void next() {
            if (done) {
                return;
            }
            if (gathered.size() >= max) {
                finish();
                return;
            }
            CompletableFuture<Delivery> next;
            try {
                next = inboxes.take(queue);
            } catch (Throwable e) {
                fail(e);
                return;
            }
            waiting = next;
            if (!next.isDone()) {
                // the linger for more never outlasts the call's own wait (a steady trickle would keep
                // a Pull gathering up to its max, holding the messages it has)
                long leftNanos = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
                long waitNanos = gathered.isEmpty() ? leftNanos : Math.min(lingerNanos, leftNanos);
                if (waitNanos <= 0) {
                    expire(next);
                    return;
                }
                if (deadlineNanos != Long.MAX_VALUE || !gathered.isEmpty()) {
                    timer = timers.schedule(() -> expire(next), waitNanos, TimeUnit.NANOSECONDS);
                }
            }
            next.whenCompleteAsync((delivery, error) -> arrived(delivery, error), executor);
        }

        private synchronized void arrived(Delivery delivery, Throwable error) {
            if (timer != null) {
                timer.cancel(false);
            }
            if (error != null) {
                if (Inboxes.stopping(error) && !gathered.isEmpty()) {
                    finish(); // the node stops: the reply is what there is
                } else if (!cancelled(error)) {
                    fail(error);
                }
                return;
            }
            if (done || call.isCancelled()) {
                inboxes.giveBack(delivery);
                return;
            }
            try {
                gathered.addAll(deliver(delivery, max - gathered.size() - 1, ackDeadlineSeconds));
            } catch (Throwable e) {
                if (gathered.isEmpty()) {
                    fail(e);
                } else {
                    finish();
                }
                return;
            }
            next();
        }

        /** Time is up for the current wait: reply with what there is (nothing, for a Pull that waited in vain). */
        private void expire(CompletableFuture<Delivery> which) {
            if (which.cancel(false)) {
                inboxes.forget(queue, which);
                executor.execute(this::finishIfWaiting);
            }
        }

        private synchronized void finishIfWaiting() {
            finish();
        }

        private void finish() {
            if (done) {
                return;
            }
            done = true;
            if (call.isCancelled()) {
                release(gathered);
                return;
            }
            call.onNext(reply.apply(gathered));
            call.onCompleted();
        }

        /** An error after some messages were gathered ends the call with those; before, with the error's status. */
        private void fail(Throwable error) {
            if (done) {
                return;
            }
            if (!gathered.isEmpty()) {
                finish();
                return;
            }
            done = true;
            if (!call.isCancelled()) {
                call.onError(Statuses.of(error));
            }
        }

        /**
         * The client went away (or its deadline passed): stop waiting; what was gathered but not
         * replied comes again at once instead of at its ack deadline.
         */
        synchronized void cancel() {
            if (timer != null) {
                timer.cancel(false);
            }
            if (waiting != null && waiting.cancel(false)) {
                inboxes.forget(queue, waiting);
            }
            if (!done) {
                done = true;
                release(gathered);
            }
        }
    }

    /**
     * One Subscribe stream: keeps taking messages while fewer than maxInFlight of its deliveries are
     * unacked. An ack or nack on this node frees its place at once ({@link LocalAcks}); whether
     * the deliveries older than a check interval are still unacked is also asked of SQL now and
     * then (acks may reach any node: such a place frees within two intervals), and a delivery whose
     * deadline passed no longer counts. When the stream ends, its unacked messages
     * are made due at once, so the redelivery sweep gives them to other subscribers.
     */
    private final class Stream<T> {
        private final String queue;
        private final int maxInFlight;
        private final int ackDeadlineSeconds;
        private final ServerCallStreamObserver<T> call;
        private final Function<BusMessage, T> reply;
        /** What LocalAcks calls when one of this stream's deliveries is settled here (one object, so it can be unwatched). */
        private final Consumer<String> onSettled = this::settled;
        /** Unacked deliveries of this stream, oldest first: id → its deadline (µs) and when it was delivered. */
        private final Map<String, Unacked> unacked = new LinkedHashMap<>();
        private CompletableFuture<Delivery> waiting;
        private ScheduledFuture<?> checker;
        private boolean ended;

        Stream(String queue, int maxInFlight, int ackDeadlineSeconds, ServerCallStreamObserver<T> call,
               Function<BusMessage, T> reply) {
            this.queue = queue;
            this.maxInFlight = maxInFlight;
            this.ackDeadlineSeconds = ackDeadlineSeconds;
            this.call = call;
            this.reply = reply;
        }

        void start() {
            checker = timers.scheduleWithFixedDelay(() -> executor.execute(this::check),
                    streamCheckMillis, streamCheckMillis, TimeUnit.MILLISECONDS);
            pump();
        }

        private synchronized void pump() {
            if (ended || waiting != null || unacked.size() >= maxInFlight) {
                return;
            }
            CompletableFuture<Delivery> next;
            try {
                next = inboxes.take(queue);
            } catch (Throwable e) {
                end(e);
                return;
            }
            waiting = next;
            next.whenCompleteAsync((delivery, error) -> arrived(delivery, error), executor);
        }

        private synchronized void arrived(Delivery delivery, Throwable error) {
            waiting = null;
            if (error != null) {
                if (!cancelled(error)) {
                    end(error);
                }
                return;
            }
            if (ended || call.isCancelled()) {
                inboxes.giveBack(delivery);
                return;
            }
            List<BusMessage> delivered;
            try {
                delivered = deliver(delivery, maxInFlight - unacked.size() - 1, ackDeadlineSeconds);
            } catch (Throwable e) {
                end(e);
                return;
            }
            long now = System.nanoTime();
            for (BusMessage message : delivered) {
                unacked.put(message.getId(), new Unacked(message.getDeadlineMicros(), now));
                localAcks.watch(message.getId(), onSettled);
                call.onNext(reply.apply(message));
            }
            pump();
        }

        /** One of this stream's deliveries was acked or nacked on this node. */
        private void settled(String id) {
            synchronized (this) {
                if (unacked.remove(id) == null) {
                    return;
                }
            }
            pump();
        }

        private void forget(String id) {
            unacked.remove(id);
            localAcks.unwatch(id, onSettled);
        }

        /**
         * Drops the deliveries whose deadline passed, and those that were acked or nacked on another
         * node: of the ones delivered at least a check interval ago (an ack on this node has freed
         * its place already, and most come sooner than that), asks SQL which are still in flight.
         */
        private void check() {
            List<String> ids;
            synchronized (this) {
                if (ended) {
                    return;
                }
                long now = Micros.now();
                unacked.entrySet().stream().filter(e -> e.getValue().deadlineMicros() <= now).map(Map.Entry::getKey).toList()
                        .forEach(this::forget);
                long deliveredBefore = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(streamCheckMillis);
                ids = unacked.entrySet().stream().takeWhile(e -> e.getValue().deliveredNanos() <= deliveredBefore)
                        .map(Map.Entry::getKey).toList();
                if (ids.isEmpty()) {
                    pump();
                    return;
                }
            }
            try {
                @SuppressWarnings("unchecked")
                List<String> stillInFlight = template.requestBody(STILL_IN_FLIGHT, ids, List.class);
                synchronized (this) {
                    Set<String> still = new HashSet<>(stillInFlight);
                    ids.stream().filter(id -> !still.contains(id)).forEach(this::forget);
                }
            } catch (Throwable e) {
                // the database is away: check again next time
            }
            pump();
        }

        private void end(Throwable error) {
            if (!ended && !call.isCancelled()) {
                call.onError(Statuses.of(error));
            }
            cancel();
        }

        /** The stream ended (client cancelled, deadline, error): its unacked messages come again at once. */
        void cancel() {
            List<String> release;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                if (checker != null) {
                    checker.cancel(false);
                }
                if (waiting != null && waiting.cancel(false)) {
                    inboxes.forget(queue, waiting);
                }
                release = List.copyOf(unacked.keySet());
                release.forEach(id -> localAcks.unwatch(id, onSettled));
                unacked.clear();
            }
            releaseIds(release);
        }
    }

    /** A Subscribe stream's unacked delivery: its ack deadline (µs) and when it was delivered ({@link System#nanoTime()}). */
    private record Unacked(long deadlineMicros, long deliveredNanos) {
    }

    /** Delivered messages no client received: due again at once, for the redelivery sweep. */
    private void release(List<BusMessage> messages) {
        releaseIds(messages.stream().map(BusMessage::getId).toList());
    }

    private void releaseIds(List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        Runnable release = () -> {
            try {
                template.sendBody(RELEASE_IN_FLIGHT, ids);
            } catch (Throwable e) {
                // not released now: they come again at their ack deadline
            }
        };
        try {
            executor.execute(release);
        } catch (RejectedExecutionException full) {
            release.run();
        }
    }

    /** For callers that want a single-message reply. */
    public static <T> Function<List<BusMessage>, T> first(Function<BusMessage, T> reply) {
        return messages -> reply.apply(messages.get(0));
    }

}
