package io.eventbus.message;

/**
 * One unary publish call as it waits to be combined with concurrent ones: its request (a
 * compatible {@code publish}, a topic {@code publish}, or a {@code Publish} without a delay or an
 * idempotency key) and the time the bus accepted it, which becomes the message's publish time.
 */
public record PublishCall(Object request, long acceptedAtMicros) {
}
