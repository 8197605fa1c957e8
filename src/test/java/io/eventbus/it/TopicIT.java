package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.mq.TopicPublishRequest;
import io.eventbus.grpc.v1.GetQueueRequest;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
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

    /**
     * Queue names are case-sensitive in RabbitMQ and in the bus's tables: the copies of one topic
     * message for two queues whose names differ only in case are two messages in flight, and acking
     * one leaves the other in flight (where one row used to stand for both, so that the ack of one
     * copy took away the other's redelivery).
     */
    @Test
    void queuesWhoseNamesDifferOnlyInCaseKeepTheirCopiesApart() throws Exception {
        String topic = Broker.uniqueName("topic");
        String lower = queue("case");
        String upper = queueNamed(lower.toUpperCase(Locale.ROOT));
        assertThat(subscribeTopic(topic, lower, Duration.ofMillis(300))).isEmpty();
        assertThat(subscribeTopic(topic, upper, Duration.ofMillis(300))).isEmpty();

        topics().publish(TopicPublishRequest.newBuilder().setTopic(topic).setData("to both").build());
        SubscribeResponse lowerCopy = subscribeTopic(topic, lower, Duration.ofSeconds(10)).orElseThrow();
        SubscribeResponse upperCopy = subscribeTopic(topic, upper, Duration.ofSeconds(10)).orElseThrow();
        assertThat(lowerCopy.getId()).endsWith("@" + lower);
        assertThat(upperCopy.getId()).endsWith("@" + upper);

        assertThat(inFlight(lowerCopy.getId(), upperCopy.getId())).containsExactlyInAnyOrder(lowerCopy.getId(), upperCopy.getId());
        assertThat(bus.v1().getQueue(GetQueueRequest.newBuilder().setQueue(upper).build()).getInFlight()).isEqualTo(1);

        topics().ack(QueueId.newBuilder().setId(upperCopy.getId()).build());
        assertThat(inFlight(lowerCopy.getId(), upperCopy.getId())).containsExactly(lowerCopy.getId());
        assertThat(bus.v1().getQueue(GetQueueRequest.newBuilder().setQueue(upper).build()).getInFlight()).isZero();
        assertThat(bus.v1().getQueue(GetQueueRequest.newBuilder().setQueue(lower).build()).getInFlight()).isEqualTo(1);

        topics().ack(QueueId.newBuilder().setId(lowerCopy.getId()).build());
        assertThat(inFlight(lowerCopy.getId(), upperCopy.getId())).isEmpty();
    }

    /** Which of these two ids have an in-flight row, as stored. */
    private Set<String> inFlight(String first, String second) throws SQLException {
        return Ledgers.strings(bus.database(), "SELECT id FROM scheduled WHERE kind = 'INFLIGHT' AND id IN (?, ?)", first, second);
    }
}
