package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventbus.grpc.mq.DelayPublishRequest;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Acceptance 4 and 5: delayed publish on time, expired messages dead-lettered as EXPIRED. */
class DelayAndExpiryIT extends BusTestSupport {

    @Test
    void delayedMessageIsDeliveredAfterItsDelayAndNotBefore() throws Exception {
        String queue = queue("delay");
        long publishedAt = System.nanoTime();
        mq().delayPublish(DelayPublishRequest.newBuilder().setQueue(queue).setData("later").setDelaySeconds(3).build());

        SubscribeResponse message = subscribe(queue, Duration.ofSeconds(8)).orElseThrow();
        long elapsedMillis = (System.nanoTime() - publishedAt) / 1_000_000;

        assertThat(message.getData()).isEqualTo("later");
        assertThat(elapsedMillis).isBetween(3000L, 4500L);
        mq().ack(QueueId.newBuilder().setId(message.getId()).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACKED".equals(bus.ledgerStatus(message.getId())));
        assertThat(bus.ledgerEvents(message.getId())).containsExactly("DELAYED", "PUBLISHED", "DELIVERED", "ACKED");
    }

    @Test
    void unconsumedMessageExpiresIntoTheDeadLetterQueue() throws Exception {
        String queue = queue("ttl");
        mq().publish(PublishRequest.newBuilder().setQueue(queue).setData("short-lived").setExpirationSeconds(1).build());

        SubscribeResponse dead = subscribe(queue + ".dlq", Duration.ofSeconds(10)).orElseThrow();
        assertThat(dead.getData()).isEqualTo("short-lived");
        await().atMost(Duration.ofSeconds(10)).until(() -> bus.ledgerEvents(dead.getId()).contains("EXPIRED"));
        assertThat(bus.ledgerEvents(dead.getId())).startsWith("PUBLISHED", "EXPIRED");
        mq().ack(QueueId.newBuilder().setId(dead.getId()).build());
        assertThat(subscribe(queue, Duration.ofMillis(1500))).isEmpty();
    }
}
