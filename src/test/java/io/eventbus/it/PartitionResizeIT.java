package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.PullRequest;
import io.eventbus.partition.HashRing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Partitioned queues through the compatible API, and a resize: a bus restarted with N+1
 * partitions delivers every message published under N, and each key's messages in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionResizeIT {

    private final String compat = Broker.uniqueName("compat-parts");
    private final String growing = Broker.uniqueName("growing");
    private final String redriven = Broker.uniqueName("redriven");
    private final List<BusNode> nodes = new ArrayList<>();

    @AfterAll
    void stop() throws Exception {
        for (BusNode node : nodes) {
            node.close();
        }
        Broker.deleteQueues(List.of(compat, growing, redriven), 8);
    }

    @Test
    void theCompatibleApiWorksOnAPartitionedQueue() throws Exception {
        BusNode bus = BusNode.start("compat_parts", Map.of("eventbus.queues." + compat + ".partitions", "4"));
        nodes.add(bus);
        for (int i = 0; i < 20; i++) {
            bus.mq().withDeadlineAfter(10, TimeUnit.SECONDS)
                    .publish(PublishRequest.newBuilder().setQueue(compat).setData("c" + i).build());
        }
        Set<String> received = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            SubscribeResponse message = bus.mq().withDeadlineAfter(10, TimeUnit.SECONDS)
                    .subscribe(SubscribeRequest.newBuilder().setQueue(compat).build());
            assertThat(message.getQueue()).isEqualTo(compat);
            received.add(message.getData());
            bus.mq().withDeadlineAfter(10, TimeUnit.SECONDS).ack(QueueId.newBuilder().setId(message.getId()).build());
        }
        assertThat(received).hasSize(20);
        bus.close();
        nodes.remove(bus);
    }

    @Test
    void growingFromFourToFivePartitionsKeepsEveryMessageAndTheOrderOfEachKey() throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("eventbus.queues." + growing + ".partitions", "4"));
        BusNode before = BusNode.start("growing", settings);
        nodes.add(before);
        for (int seq = 0; seq < 10; seq++) {
            for (int k = 0; k < 8; k++) {
                before.v1().publish(io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue(growing).setKey("key-" + k)
                        .setData(ByteString.copyFromUtf8(k + ":" + seq)).build());
            }
        }
        Map<String, String> restart = new HashMap<>(before.settings());
        before.close();
        nodes.remove(before);

        restart.put("eventbus.queues." + growing + ".partitions", "5");
        BusNode after = BusNode.start(restart);
        nodes.add(after);
        Map<String, List<Integer>> byKey = new HashMap<>();
        int received = 0;
        while (received < 80) {
            List<Message> messages = after.v1().pull(PullRequest.newBuilder().setQueue(growing).setMaxMessages(1)
                    .setWaitSeconds(5).build()).getMessagesList();
            assertThat(messages).as("only %d of 80 messages came after the resize", received).isNotEmpty();
            for (Message message : messages) {
                String[] keyAndSeq = message.getData().toStringUtf8().split(":");
                byKey.computeIfAbsent(keyAndSeq[0], k -> new ArrayList<>()).add(Integer.parseInt(keyAndSeq[1]));
                after.v1().ack(AckRequest.newBuilder().addIds(message.getId()).build());
                received++;
            }
        }
        assertThat(byKey).hasSize(8);
        // nothing was published after the resize, so every key is still in its old partition, in order
        byKey.values().forEach(sequence -> assertThat(sequence).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        // and new publishes of a key go where the five-partition ring says
        var published = after.v1().publish(io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue(growing).setKey("key-3")
                .setData(ByteString.copyFromUtf8("new")).build());
        assertThat(published.getPartition()).isEqualTo(new HashRing(5).partitionOf("key-3"));
    }

    @Test
    void deadLettersOfAPartitionedQueueAreRedrivenIntoTheirPartitions() throws Exception {
        BusNode bus = BusNode.start("redriven_parts", Map.of(
                "eventbus.queues." + redriven + ".partitions", "2",
                "eventbus.queues." + redriven + ".retry-times", "0"));
        nodes.add(bus);
        Set<String> ids = new HashSet<>();
        for (int k = 0; k < 3; k++) {
            ids.add(bus.v1().publish(io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue(redriven).setKey("key-" + k)
                    .setData(ByteString.copyFromUtf8("d" + k)).build()).getId());
        }
        int nacked = 0;
        while (nacked < 3) {
            for (Message message : bus.v1().pull(PullRequest.newBuilder().setQueue(redriven).setMaxMessages(1)
                    .setWaitSeconds(5).build()).getMessagesList()) {
                bus.v1().nack(io.eventbus.grpc.v1.NackRequest.newBuilder().addIds(message.getId()).setDelaySeconds(0).build());
                nacked++;
            }
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() ->
                bus.v1().getQueue(io.eventbus.grpc.v1.GetQueueRequest.newBuilder().setQueue(redriven).build()).getDead() == 3);

        assertThat(bus.v1().redrive(io.eventbus.grpc.v1.RedriveRequest.newBuilder().setQueue(redriven).build()).getMoved())
                .isEqualTo(3);
        Set<String> back = new HashSet<>();
        while (back.size() < 3) {
            List<Message> messages = bus.v1().pull(PullRequest.newBuilder().setQueue(redriven).setMaxMessages(1)
                    .setWaitSeconds(5).build()).getMessagesList();
            assertThat(messages).as("only %d of 3 redriven messages came back", back.size()).isNotEmpty();
            for (Message message : messages) {
                assertThat(message.getAttempt()).isEqualTo(1);
                assertThat(message.getPartition()).isEqualTo(new HashRing(2).partitionOf(message.getKey()));
                back.add(message.getId());
                bus.v1().ack(AckRequest.newBuilder().addIds(message.getId()).build());
            }
        }
        assertThat(back).isEqualTo(ids);
    }
}
