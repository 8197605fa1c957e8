package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.mq.TopicPublishRequest;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Acceptance 6: every queue subscribed to a topic gets every message of it. */
class TopicIT extends BusTestSupport {

    @Test
    void twoQueuesOnOneTopicEachReceiveEveryMessage() {
        String topic = Broker.uniqueName("topic");
        String first = queue("topic-a");
        String second = queue("topic-b");
        // first use binds each queue to the topic
        assertThat(subscribeTopic(topic, first, Duration.ofMillis(300))).isEmpty();
        assertThat(subscribeTopic(topic, second, Duration.ofMillis(300))).isEmpty();

        Set<String> sent = IntStream.range(0, 100).mapToObj(i -> "event-" + i).collect(Collectors.toSet());
        sent.forEach(data -> topics().publish(TopicPublishRequest.newBuilder().setTopic(topic).setData(data).build()));

        for (String queue : new String[] {first, second}) {
            Set<String> received = new HashSet<>();
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                SubscribeResponse message = subscribeTopic(topic, queue, Duration.ofSeconds(10)).orElseThrow();
                assertThat(message.getQueue()).isEqualTo(queue);
                received.add(message.getData());
                ids.add(message.getId());
                topics().ack(QueueId.newBuilder().setId(message.getId()).build());
            }
            assertThat(received).isEqualTo(sent);
            assertThat(ids).hasSize(100).allMatch(id -> id.endsWith("@" + queue));
            assertThat(subscribeTopic(topic, queue, Duration.ofMillis(500))).isEmpty();
        }
    }
}
