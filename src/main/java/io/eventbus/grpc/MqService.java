package io.eventbus.grpc;

import com.google.protobuf.Empty;
import io.eventbus.grpc.mq.DelayPublishRequest;
import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.message.Messages;
import io.grpc.stub.StreamObserver;

/** {@code mq.Mq}, the original's queue API: each method is a route (see routes/*.camel.yaml). */
public class MqService extends MqGrpc.MqImplBase {

    private final RouteCalls calls;
    private final Messages messages;

    public MqService(RouteCalls calls, Messages messages) {
        this.calls = calls;
        this.messages = messages;
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<Empty> observer) {
        calls.publish(request, observer, message -> messages.empty());
    }

    @Override
    public void delayPublish(DelayPublishRequest request, StreamObserver<Empty> observer) {
        calls.unary("direct:mq-delay-publish", request, observer);
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> observer) {
        // one message; waits until one comes or the call's deadline passes
        calls.gather("direct:mq-subscribe", request, 1, -1, 0, observer, RouteCalls.first(messages::subscribeResponse));
    }

    @Override
    public void ack(QueueId request, StreamObserver<Empty> observer) {
        calls.unary("direct:ack-message", request.getId(), observer);
    }

    @Override
    public void nack(QueueId request, StreamObserver<Empty> observer) {
        calls.unary("direct:nack-message", request.getId(), observer);
    }
}
