package io.eventbus;

import io.grpc.Status;

/** An ack of a message whose life ended otherwise (DEAD, EXPIRED): FAILED_PRECONDITION. */
public class NotAckableException extends BusException {

    public NotAckableException(String id, String status) {
        super(Status.Code.FAILED_PRECONDITION, "message " + id + " cannot be acked: its status is " + status);
    }
}
