package io.eventbus.it;

import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.MqTopicGrpc;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.mq.TopicSubscribeRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the integration tests: one bus node per test class, started with the class's
 * settings, and helpers to call it like a client of the original bus would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BusTestSupport {

    protected BusNode bus;
    private final List<String> queues = new ArrayList<>();

    /** Settings of this class's node, over application.properties. */
    protected Map<String, String> settings() {
        return Map.of();
    }

    @BeforeAll
    void startBus() throws Exception {
        bus = BusNode.start(getClass().getSimpleName(), settings());
    }

    @AfterAll
    void stopBus() throws Exception {
        if (bus != null) {
            bus.close();
        }
        Broker.deleteQueues(queues);
    }

    /** A fresh queue name, deleted after the class. */
    protected String queue(String prefix) {
        String name = Broker.uniqueName(prefix);
        queues.add(name);
        return name;
    }

    /** The name of another queue, deleted after the class (for a name derived from a fresh one). */
    protected String queueNamed(String name) {
        queues.add(name);
        return name;
    }

    protected MqGrpc.MqBlockingStub mq() {
        return bus.mq().withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    protected MqTopicGrpc.MqTopicBlockingStub topics() {
        return bus.topics().withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** Waits up to {@code wait} for a message of the queue; empty when the deadline passed. */
    protected Optional<SubscribeResponse> subscribe(String queue, Duration wait) {
        try {
            return Optional.of(bus.mq().withDeadlineAfter(wait.toMillis(), TimeUnit.MILLISECONDS)
                    .subscribe(SubscribeRequest.newBuilder().setQueue(queue).build()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                return Optional.empty();
            }
            throw e;
        }
    }

    protected Optional<SubscribeResponse> subscribeTopic(String topic, String queueName, Duration wait) {
        try {
            return Optional.of(bus.topics().withDeadlineAfter(wait.toMillis(), TimeUnit.MILLISECONDS)
                    .subscribe(TopicSubscribeRequest.newBuilder().setTopic(topic).setQueueName(queueName).build()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                return Optional.empty();
            }
            throw e;
        }
    }

    protected static Status.Code codeOf(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }
}
