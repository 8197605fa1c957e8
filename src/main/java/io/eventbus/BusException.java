package io.eventbus;

import io.grpc.Status;

/**
 * A request the bus refuses, with the gRPC status code the caller gets and a message a person
 * can act on. Thrown by validators and routes; never logged with a stack trace, because it
 * describes the caller's mistake, not a fault of the bus.
 */
public class BusException extends RuntimeException {

    private final Status.Code code;

    public BusException(Status.Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public Status.Code code() {
        return code;
    }

    public static BusException invalid(String message) {
        return new BusException(Status.Code.INVALID_ARGUMENT, message);
    }

    public static BusException notFound(String message) {
        return new BusException(Status.Code.NOT_FOUND, message);
    }

    public static BusException failedPrecondition(String message) {
        return new BusException(Status.Code.FAILED_PRECONDITION, message);
    }

    /** A request over one of the configured limits (size, count): the message names the limit's key. */
    public static BusException overLimit(String message) {
        return new BusException(Status.Code.RESOURCE_EXHAUSTED, message);
    }
}
