package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.rabbitmq.client.Channel;
import io.eventbus.grpc.mq.DelayPublishRequest;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PullRequest;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * One sweep round takes delayed messages of two queues, and the second queue cannot be declared
     * (it exists on RabbitMQ with other arguments). The chunk of the first queue is published once:
     * the failed round deletes its rows and gives back only the others, which wait, not lost, until
     * their queue can be declared.
     */
    @Test
    void aRoundThatFailsForOneQueuePublishesTheOthersOnce() throws Exception {
        String good = queue("sweep-good");
        String bad = queue("sweep-bad");
        try (var connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(bad, false, false, false, null); // not durable, no dead-letter exchange
        }
        // one batch: due the same second, the good queue's 100 first (the round's first chunk)
        PublishBatchRequest.Builder batch = PublishBatchRequest.newBuilder();
        for (int i = 0; i < 100; i++) {
            batch.addMessages(io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue(good).setDelaySeconds(2)
                    .setData(ByteString.copyFromUtf8("g" + i)));
        }
        batch.addMessages(io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue(bad).setDelaySeconds(2)
                .setData(ByteString.copyFromUtf8("b")));
        bus.v1().publishBatch(batch.build());

        // the good queue's 100 are published once, and stay 100 through the rounds that follow the
        // failure (four a second), which would publish them again
        await().atMost(Duration.ofSeconds(20)).until(() -> ready(good) >= 100);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> ready(good) == 100);

        List<String> received = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            received.addAll(pullAndAck(good, 1));
            return received.size() >= 100;
        });
        // the rounds after the failure (four a second) would publish the good chunk again: the
        // copies of acked messages are filed, not delivered, but the ledger has each publish
        List<String> again = pullAndAck(good, 3);
        assertThat(received).doesNotHaveDuplicates().hasSize(100);
        assertThat(again).as("delivered again").isEmpty();
        for (String id : List.of(received.get(0), received.get(99))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> bus.ledgerEvents(id).contains("ACKED"));
            assertThat(bus.ledgerEvents(id)).as("ledger events of %s", id).containsOnlyOnce("PUBLISHED");
        }

        // published now, a message for that queue is refused with the reason, not spooled
        assertThat(codeOf(() -> bus.v1().publish(io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue(bad)
                .setData(ByteString.copyFromUtf8("now")).build()))).isEqualTo(Code.FAILED_PRECONDITION);

        // the other queue's message waits until its queue can be declared
        try (var connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(bad);
        }
        List<String> late = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            late.addAll(pullAndAck(bad, 1));
            return !late.isEmpty();
        });
        assertThat(late).hasSize(1);
    }

    private long ready(String queue) {
        return bus.v1().getQueue(io.eventbus.grpc.v1.GetQueueRequest.newBuilder().setQueue(queue).build()).getReady();
    }

    private List<String> pullAndAck(String queue, int waitSeconds) {
        List<String> ids = bus.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(100)
                .setWaitSeconds(waitSeconds).build()).getMessagesList().stream().map(Message::getId).toList();
        if (!ids.isEmpty()) {
            bus.v1().ack(AckRequest.newBuilder().addAllIds(ids).build());
        }
        return ids;
    }
}
