package io.eventbus;

import io.grpc.Status;

/** No message has the given id: NOT_FOUND, or an entry of AckResponse.unknown_ids. */
public class UnknownMessageException extends BusException {

    public UnknownMessageException(String id) {
        super(Status.Code.NOT_FOUND, "no message with id " + id + " (ids come from subscribe, pull or publish)");
    }
}
