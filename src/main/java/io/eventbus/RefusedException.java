package io.eventbus;

import io.grpc.Status;

/**
 * A call a route refuses on an operator's rule: FAILED_PRECONDITION with the route's message.
 * For YAML routes edited on a running bus, e.g. to hold the publishes to one queue:
 * {@code throwException: {exceptionType: io.eventbus.RefusedException, message: "orders is paused"}}.
 */
public class RefusedException extends BusException {

    public RefusedException(String message) {
        super(Status.Code.FAILED_PRECONDITION, message);
    }
}
