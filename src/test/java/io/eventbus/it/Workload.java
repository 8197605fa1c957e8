package io.eventbus.it;

import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Publishers and consumers of the compatible API working through a fault, as well-behaved clients:
 * what an outage refuses (UNAVAILABLE) is retried, and a publish counts once the bus confirmed it.
 * Afterwards: confirmed, acked, delivered twice, lost.
 */
final class Workload implements AutoCloseable {

    private final MqGrpc.MqBlockingStub mq;
    private final String queue;
    private final int messages;
    private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> delivered = new ConcurrentHashMap<>();
    private final AtomicInteger acked = new AtomicInteger();
    private final ExecutorService clients;
    private final List<Future<?>> work = new ArrayList<>();

    /**
     * {@code publishing}: about how long the publishers take for all messages (they pause between
     * publishes), so that a fault injected while they work hits a run still under way.
     */
    Workload(MqGrpc.MqBlockingStub mq, String queue, int messages, int publishers, int consumers, Duration publishing) {
        this.mq = mq;
        this.queue = queue;
        this.messages = messages;
        this.clients = Executors.newFixedThreadPool(publishers + consumers);
        long publishPauseMillis = publishing.toMillis() * publishers / messages;
        for (int p = 0; p < publishers; p++) {
            int publisher = p;
            work.add(clients.submit(() -> {
                for (int i = publisher; i < messages; i += publishers) {
                    String data = "m" + i;
                    retrying(() -> mq.withDeadlineAfter(40, TimeUnit.SECONDS)
                            .publish(PublishRequest.newBuilder().setQueue(queue).setData(data).build()));
                    confirmed.add(data);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(publishPauseMillis)); // spread over the fault
                }
                return null;
            }));
        }
        for (int c = 0; c < consumers; c++) {
            work.add(clients.submit(this::consume));
        }
    }

    private Void consume() {
        while (!(confirmed.size() == messages && delivered.keySet().containsAll(confirmed))) {
            SubscribeResponse message;
            try {
                message = mq.withDeadlineAfter(2, TimeUnit.SECONDS).subscribe(SubscribeRequest.newBuilder().setQueue(queue).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
                continue;
            }
            delivered.merge(message.getData(), 1, Integer::sum);
            retrying(() -> mq.withDeadlineAfter(15, TimeUnit.SECONDS).ack(QueueId.newBuilder().setId(message.getId()).build()));
            acked.incrementAndGet();
        }
        return null;
    }

    private static <T> T retrying(Supplier<T> call) {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt > 1200) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    /** Acked so far; throws what stopped a client, so that a wait on progress fails at once, with the cause. */
    int acked() throws Exception {
        rethrowFailures();
        return acked.get();
    }

    /** Published and confirmed so far; throws what stopped a client. */
    int confirmed() throws Exception {
        rethrowFailures();
        return confirmed.size();
    }

    private void rethrowFailures() throws Exception {
        for (Future<?> f : work) {
            if (f.isDone()) {
                f.get();
            }
        }
    }

    /** Waits for every client to finish: all confirmed messages delivered. */
    void finish(long minutes) throws Exception {
        for (Future<?> f : work) {
            f.get(minutes, TimeUnit.MINUTES);
        }
    }

    long deliveredTwice() {
        return delivered.values().stream().filter(n -> n > 1).count();
    }

    long lost() {
        return confirmed.stream().filter(data -> !delivered.containsKey(data)).count();
    }

    /** The line every fault run prints. */
    String report(String run) {
        return String.format("%s: published-confirmed %d, acked %d, delivered-twice %d, lost %d",
                run, confirmed.size(), acked.get(), deliveredTwice(), lost());
    }

    @Override
    public void close() {
        clients.shutdownNow();
    }
}
