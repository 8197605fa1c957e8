package io.eventbus.grpc;

import io.grpc.Attributes;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code eventbus.max-streams-per-connection} calls open at once on one client connection.
 * A connection gets its own counter when its transport is ready ({@link #transportReady}); every
 * call on it counts from its start until it ends, whichever way: closed by the bus, completed,
 * cancelled by the client, or its deadline passed. A call beyond the limit is refused at once with
 * RESOURCE_EXHAUSTED, before any service sees it. Register it as both the server's transport
 * filter and its interceptor.
 *
 * <p>HTTP/2's own {@code MAX_CONCURRENT_STREAMS} ({@link #hardCap()}, set a little above) stays as
 * a backstop: a client over that makes its calls wait instead of failing, which a caller cannot
 * tell from a slow bus, so the limit here comes first, with a status that says what happened.
 */
public final class ConnectionLimits extends ServerTransportFilter implements ServerInterceptor {

    /** The open calls of one connection. */
    private static final Attributes.Key<AtomicInteger> OPEN_CALLS = Attributes.Key.create("eventbus.open-calls");

    private final int maxCallsPerConnection;
    private final AtomicInteger openCalls = new AtomicInteger();
    private final AtomicInteger refusedCalls = new AtomicInteger();

    public ConnectionLimits(int maxCallsPerConnection) {
        if (maxCallsPerConnection < 1) {
            throw new IllegalArgumentException("eventbus.max-streams-per-connection must be at least 1, not "
                    + maxCallsPerConnection);
        }
        this.maxCallsPerConnection = maxCallsPerConnection;
    }

    /** HTTP/2 MAX_CONCURRENT_STREAMS for the server: a quarter (at least 10) above the limit. */
    public int hardCap() {
        long cap = maxCallsPerConnection + Math.max(10L, maxCallsPerConnection / 4L);
        return (int) Math.min(Integer.MAX_VALUE, cap);
    }

    @Override
    public Attributes transportReady(Attributes transportAttrs) {
        return transportAttrs.toBuilder().set(OPEN_CALLS, new AtomicInteger()).build();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        AtomicInteger open = call.getAttributes().get(OPEN_CALLS);
        if (open == null) {
            // a transport this filter did not see become ready: nothing to count against
            return next.startCall(call, headers);
        }
        int now = open.incrementAndGet();
        if (now > maxCallsPerConnection) {
            open.decrementAndGet();
            refusedCalls.incrementAndGet();
            call.close(Status.RESOURCE_EXHAUSTED.withDescription("this connection has " + (now - 1)
                    + " calls open; at most " + maxCallsPerConnection
                    + " are allowed (eventbus.max-streams-per-connection): end some, or open another connection"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        openCalls.incrementAndGet();
        Ended ended = new Ended(open);
        try {
            return new CountedListener<>(next.startCall(new CountedCall<>(call, ended), headers), ended);
        } catch (RuntimeException e) {
            ended.run();
            throw e;
        }
    }

    /** Calls open now on all connections. */
    public int openCalls() {
        return openCalls.get();
    }

    /** Calls refused since start because their connection was at the limit. */
    public int refusedCalls() {
        return refusedCalls.get();
    }

    /** Gives a call's place back, once, however many of close, complete and cancel happen. */
    private final class Ended implements Runnable {
        private final AtomicInteger open;
        private final AtomicBoolean done = new AtomicBoolean();

        Ended(AtomicInteger open) {
            this.open = open;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                open.decrementAndGet();
                openCalls.decrementAndGet();
            }
        }
    }

    /** Frees the place as the bus closes the call, before the client hears of it, so it may start the next at once. */
    private static final class CountedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final Ended ended;

        CountedCall(ServerCall<Q, R> call, Ended ended) {
            super(call);
            this.ended = ended;
        }

        @Override
        public void close(Status status, Metadata trailers) {
            ended.run();
            super.close(status, trailers);
        }
    }

    /** Frees the place when the call ends without the bus closing it (cancelled, deadline passed). */
    private static final class CountedListener<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final Ended ended;

        CountedListener(ServerCall.Listener<Q> listener, Ended ended) {
            super(listener);
            this.ended = ended;
        }

        @Override
        public void onCancel() {
            try {
                super.onCancel();
            } finally {
                ended.run();
            }
        }

        @Override
        public void onComplete() {
            try {
                super.onComplete();
            } finally {
                ended.run();
            }
        }
    }
}
