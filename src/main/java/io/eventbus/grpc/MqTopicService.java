package io.eventbus.grpc;

import com.google.protobuf.Empty;
import io.eventbus.grpc.mq.DelayTopicPublishRequest;
import io.eventbus.grpc.mq.MqTopicGrpc;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.mq.TopicPublishRequest;
import io.eventbus.grpc.mq.TopicSubscribeRequest;
import io.grpc.stub.StreamObserver;

/** {@code mq.MqTopic}, the original's topic API: each method is a route (see routes/*.camel.yaml). */
public class MqTopicService extends MqTopicGrpc.MqTopicImplBase {

    private final RouteCalls calls;

    public MqTopicService(RouteCalls calls) {
        this.calls = calls;
    }

    @Override
    public void publish(TopicPublishRequest request, StreamObserver<Empty> observer) {
        calls.unary("direct:topic-publish", request, observer);
    }

    @Override
    public void delayPublish(DelayTopicPublishRequest request, StreamObserver<Empty> observer) {
        calls.unary("direct:topic-delay-publish", request, observer);
    }

    @Override
    public void subscribe(TopicSubscribeRequest request, StreamObserver<SubscribeResponse> observer) {
        calls.subscribe("direct:topic-subscribe", request, observer);
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
