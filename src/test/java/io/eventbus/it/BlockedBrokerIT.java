package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ blocks publishers (a memory alarm, as when its disk or memory runs low): confirms stop
 * coming. A publish is still accepted, into the spool, after its confirm timed out (publishes
 * after RabbitMQ said it blocks go to the spool at once); the feed reports a connection timeout
 * (status false); once the alarm clears the spooled message is delivered. The alarm is cleared
 * even when the test fails.
 */
class BlockedBrokerIT extends BusTestSupport {

    private final String nodeId = Broker.uniqueName("blocked");

    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.node-id", nodeId, "eventbus.confirm-timeout-millis", "1500");
    }

    @AfterAll
    void alarmCleared() throws Exception {
        Services.run("rabbitmqctl", "set_vm_memory_high_watermark", "0.4");
    }

    @Test
    void aPublishWhileTheBrokerBlocksPublishersIsSpooledAndTheFeedReportsTheTimeout() throws Exception {
        String queue = queue("blocked");
        mq().publish(PublishRequest.newBuilder().setQueue(queue).setData("before").build());
        long tookMillis;
        try {
            Services.run("rabbitmqctl", "set_vm_memory_high_watermark", "0");
            long start = System.nanoTime();
            mq().withDeadlineAfter(30, TimeUnit.SECONDS).publish(PublishRequest.newBuilder().setQueue(queue).setData("during").build());
            tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        } finally {
            Services.run("rabbitmqctl", "set_vm_memory_high_watermark", "0.4");
        }
        // the first publish into the block waits for its confirm (1.5 s here) and for the channel to close
        assertThat(tookMillis).as("accepted, not hung").isLessThan(30_000);

        List<String> received = new ArrayList<>();
        while (received.size() < 2) {
            SubscribeResponse message = subscribe(queue, Duration.ofSeconds(30)).orElseThrow(
                    () -> new AssertionError("lost, received only " + received));
            received.add(message.getData());
            mq().ack(QueueId.newBuilder().setId(message.getId()).build());
        }
        assertThat(received).containsExactly("before", "during");
        assertThat(subscribe(queue, Duration.ofSeconds(1))).isEmpty();

        List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> Broker.systemEvents(nodeId, events).stream()
                .anyMatch(e -> e.path("event").asText().equals("timeout")));
        var timeout = events.stream().filter(e -> e.path("event").asText().equals("timeout")).findFirst().orElseThrow();
        assertThat(timeout.path("scheme").asText()).isEqualTo("connection");
        assertThat(timeout.path("status").asBoolean()).isFalse();
        assertThat(timeout.path("data").path("cause").asText()).containsAnyOf("blocks publishing", "no confirm");
        System.out.printf("blocked run: publish accepted into the spool after %d ms, delivered 2 of 2, timeout event %s%n",
                tookMillis, timeout.path("id").asText());
    }
}
