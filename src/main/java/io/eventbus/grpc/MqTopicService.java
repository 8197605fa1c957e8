package io.eventbus.grpc;

import com.google.protobuf.Empty;
import io.eventbus.grpc.mq.DelayTopicPublishRequest;
import io.eventbus.grpc.mq.MqTopicGrpc;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.mq.TopicPublishRequest;
import io.eventbus.grpc.mq.TopicSubscribeRequest;
import io.eventbus.message.Messages;
import io.grpc.stub.StreamObserver;

/** {@code mq.MqTopic}, the original's topic API: each method is a route (see routes/*.camel.yaml). */
public class MqTopicService extends MqTopicGrpc.MqTopicImplBase {

    private final RouteCalls calls;
    private final Messages messages;

    public MqTopicService(RouteCalls calls, Messages messages) {
        this.calls = calls;
        this.messages = messages;
    }

    @Override
    public void publish(TopicPublishRequest request, StreamObserver<Empty> observer) {
        calls.publish(request, observer, message -> messages.empty());
    }

    @Override
    public void delayPublish(DelayTopicPublishRequest request, StreamObserver<Empty> observer) {
        calls.unary("direct:topic-delay-publish", request, observer);
    }

    @Override
    public void subscribe(TopicSubscribeRequest request, StreamObserver<SubscribeResponse> observer) {
        // one message; waits until one comes or the call's deadline passes
        calls.gather("direct:topic-subscribe", request, 1, -1, 0, observer, RouteCalls.first(messages::subscribeResponse));
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
