package io.eventbus.grpc;

import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.AckResponse;
import io.eventbus.grpc.v1.BindRequest;
import io.eventbus.grpc.v1.BindResponse;
import io.eventbus.grpc.v1.CancelRequest;
import io.eventbus.grpc.v1.CancelResponse;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.ExtendDeadlineRequest;
import io.eventbus.grpc.v1.ExtendDeadlineResponse;
import io.eventbus.grpc.v1.GetMessageRequest;
import io.eventbus.grpc.v1.GetQueueRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.MessageRecord;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.NackResponse;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PublishBatchResponse;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PublishResponse;
import io.eventbus.grpc.v1.PullRequest;
import io.eventbus.grpc.v1.PullResponse;
import io.eventbus.grpc.v1.QueueInfo;
import io.eventbus.grpc.v1.RedriveRequest;
import io.eventbus.grpc.v1.RedriveResponse;
import io.eventbus.grpc.v1.SubscribeRequest;
import io.eventbus.message.V1Messages;
import io.grpc.stub.StreamObserver;

/** {@code eventbus.v1.EventBus}, the full API: each method is a route (see routes/*.camel.yaml). */
public class EventBusService extends EventBusGrpc.EventBusImplBase {

    /** max_in_flight of a Subscribe that does not say (eventbus.max-in-flight, when lower, instead). */
    static final int DEFAULT_MAX_IN_FLIGHT = 100;

    private final RouteCalls calls;
    private final V1Messages v1;
    private final int defaultMaxInFlight;

    /** {@code maxInFlight}: eventbus.max-in-flight, the most any stream may hold. */
    public EventBusService(RouteCalls calls, V1Messages v1, int maxInFlight) {
        this.calls = calls;
        this.v1 = v1;
        this.defaultMaxInFlight = Math.max(1, Math.min(DEFAULT_MAX_IN_FLIGHT, maxInFlight));
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> observer) {
        if (request.getDelaySeconds() == 0 && request.getIdempotencyKey().isEmpty()) {
            calls.publish(request, observer, v1::publishResponse); // with concurrent calls' plain messages
        } else {
            // stored until due, or its key claimed first: blocking, so not on the transport thread
            calls.unaryOnExecutor("direct:v1-publish", request, observer);
        }
    }

    @Override
    public void publishBatch(PublishBatchRequest request, StreamObserver<PublishBatchResponse> observer) {
        calls.unary("direct:v1-publish-batch", request, observer);
    }

    @Override
    public void pull(PullRequest request, StreamObserver<PullResponse> observer) {
        calls.gather("direct:v1-pull", request, Math.max(1, request.getMaxMessages()), request.getWaitSeconds(),
                request.getAckDeadlineSeconds(), observer,
                messages -> PullResponse.newBuilder().addAllMessages(messages.stream().map(v1::toV1).toList()).build());
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<Message> observer) {
        int maxInFlight = request.getMaxInFlight() == 0 ? defaultMaxInFlight : request.getMaxInFlight();
        calls.stream("direct:v1-subscribe", request, maxInFlight, request.getAckDeadlineSeconds(), observer, v1::toV1);
    }

    @Override
    public void ack(AckRequest request, StreamObserver<AckResponse> observer) {
        calls.unary("direct:v1-ack", request, observer);
    }

    @Override
    public void nack(NackRequest request, StreamObserver<NackResponse> observer) {
        calls.unary("direct:v1-nack", request, observer);
    }

    @Override
    public void extendDeadline(ExtendDeadlineRequest request, StreamObserver<ExtendDeadlineResponse> observer) {
        calls.unary("direct:v1-extend-deadline", request, observer);
    }

    @Override
    public void bind(BindRequest request, StreamObserver<BindResponse> observer) {
        calls.unary("direct:v1-bind", request, observer);
    }

    @Override
    public void getMessage(GetMessageRequest request, StreamObserver<MessageRecord> observer) {
        calls.unary("direct:v1-get-message", request, observer);
    }

    @Override
    public void getQueue(GetQueueRequest request, StreamObserver<QueueInfo> observer) {
        calls.unary("direct:v1-get-queue", request, observer);
    }

    @Override
    public void redrive(RedriveRequest request, StreamObserver<RedriveResponse> observer) {
        calls.unary("direct:v1-redrive", request, observer);
    }

    @Override
    public void cancel(CancelRequest request, StreamObserver<CancelResponse> observer) {
        calls.unary("direct:v1-cancel", request, observer);
    }
}
