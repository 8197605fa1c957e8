package io.eventbus.grpc;

import io.eventbus.broker.Delivery;
import io.eventbus.broker.Inboxes;
import io.eventbus.message.BusMessage;
import io.eventbus.message.Messages;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.ProducerTemplate;

/**
 * Hands gRPC calls to routes. A unary call is one request-reply on a {@code direct:} route; a
 * subscribe call prepares on a route (validate, declare, bind), waits for a message as a future
 * (holding no thread), then delivers it on the {@code deliver-message} route.
 */
public class RouteCalls {

    static final String DELIVER = "direct:deliver-message";

    private final ProducerTemplate template;
    private final Inboxes inboxes;
    private final Messages messages;
    private final Executor executor;

    public RouteCalls(ProducerTemplate template, Inboxes inboxes, Messages messages, Executor executor) {
        this.template = template;
        this.inboxes = inboxes;
        this.messages = messages;
        this.executor = executor;
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

    /** The prepare route validates the request and returns the queue name to wait on. */
    public void subscribe(String prepareEndpoint, Object request, StreamObserver<SubscribeResponse> observer) {
        ServerCallStreamObserver<SubscribeResponse> call = (ServerCallStreamObserver<SubscribeResponse>) observer;
        AtomicReference<CompletableFuture<Delivery>> waiting = new AtomicReference<>();
        String queue;
        try {
            queue = template.requestBody(prepareEndpoint, request, String.class);
        } catch (Throwable e) {
            observer.onError(Statuses.of(e));
            return;
        }
        call.setOnCancelHandler(() -> {
            CompletableFuture<Delivery> future = waiting.get();
            if (future != null && future.cancel(false)) {
                inboxes.forget(queue, future);
            }
        });
        awaitNext(queue, call, waiting);
    }

    private void awaitNext(String queue, ServerCallStreamObserver<SubscribeResponse> call,
                           AtomicReference<CompletableFuture<Delivery>> waiting) {
        CompletableFuture<Delivery> next;
        try {
            next = inboxes.take(queue);
        } catch (Throwable e) {
            call.onError(Statuses.of(e));
            return;
        }
        waiting.set(next);
        if (call.isCancelled() && next.cancel(false)) {
            inboxes.forget(queue, next);
            return;
        }
        next.whenCompleteAsync((delivery, error) -> {
            if (error != null) {
                if (!call.isCancelled()) {
                    call.onError(Statuses.of(error));
                }
                return;
            }
            if (call.isCancelled()) {
                inboxes.giveBack(delivery);
                return;
            }
            BusMessage message;
            try {
                message = template.requestBody(DELIVER, delivery, BusMessage.class);
            } catch (Throwable e) {
                inboxes.reject(delivery);
                call.onError(Statuses.of(e));
                return;
            }
            if (message == null) {
                awaitNext(queue, call, waiting); // expired or acked already: filed, not delivered
                return;
            }
            call.onNext(messages.subscribeResponse(message));
            call.onCompleted();
        }, executor);
    }
}
