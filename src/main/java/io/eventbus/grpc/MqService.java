package io.eventbus.grpc;

import com.google.protobuf.Empty;
import io.eventbus.grpc.mq.DelayPublishRequest;
import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.grpc.stub.StreamObserver;

/** {@code mq.Mq}, the original's queue API: each method is a route (see routes/*.camel.yaml). */
public class MqService extends MqGrpc.MqImplBase {

    private final RouteCalls calls;

    public MqService(RouteCalls calls) {
        this.calls = calls;
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<Empty> observer) {
        calls.unary("direct:mq-publish", request, observer);
    }

    @Override
    public void delayPublish(DelayPublishRequest request, StreamObserver<Empty> observer) {
        calls.unary("direct:mq-delay-publish", request, observer);
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> observer) {
        calls.subscribe("direct:mq-subscribe", request, observer);
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
