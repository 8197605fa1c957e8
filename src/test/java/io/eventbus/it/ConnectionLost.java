package io.eventbus.it;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.channels.ClosedChannelException;

/**
 * Whether a call failed because its node went away (a client behind a balancer tries another):
 * UNAVAILABLE, or UNKNOWN "channel closed", which grpc-java's Netty transport reports when the
 * connection breaks while it writes the call (grpc/grpc-java#10120; seen in SoakIT when a node was
 * killed with a PublishBatch under way).
 */
final class ConnectionLost {

    private ConnectionLost() {
    }

    static boolean by(StatusRuntimeException e) {
        Status status = e.getStatus();
        return status.getCode() == Status.Code.UNAVAILABLE
                || status.getCode() == Status.Code.UNKNOWN && status.getCause() instanceof ClosedChannelException;
    }
}
