package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The spool drains in order per queue with two nodes draining it at once: messages one client
 * published in order while RabbitMQ was down reach the queue in that order. Rounds of 200 rows
 * here, so that both nodes take rounds of the same queue's spool. RabbitMQ is restarted even
 * when the test fails.
 */
class SpoolOrderIT {

    private static final int MESSAGES = Integer.getInteger("spool.messages", 1500);

    @Test
    void twoNodesDrainingTheSpoolKeepEachQueuesOrder() throws Exception {
        String queue = Broker.uniqueName("spool-order");
        BusNode a = BusNode.start("spoolorder", Map.of("eventbus.sweep.batch-size", "200"));
        Map<String, String> settings = new HashMap<>(a.settings());
        settings.put("eventbus.rpc-port", String.valueOf(BusNode.freePort()));
        settings.put("eventbus.http-port", String.valueOf(BusNode.freePort()));
        BusProcess b = BusProcess.start(settings, Map.of(), new File("target/spool-order-second-node.log"));
        try {
            a.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(1).build()); // declares the queue
            try {
                Services.run("rabbitmqctl", "stop_app");
                Services.awaitDown(Services.RABBITMQ);
                for (int i = 0; i < MESSAGES; i++) {
                    a.v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8(String.valueOf(i))).build());
                }
            } finally {
                Services.startRabbitMq();
            }

            List<Integer> received = new ArrayList<>();
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                List<Message> messages = a.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(100)
                        .setWaitSeconds(1).build()).getMessagesList();
                messages.forEach(m -> received.add(Integer.parseInt(m.getData().toStringUtf8())));
                if (!messages.isEmpty()) {
                    a.v1().ack(AckRequest.newBuilder().addAllIds(messages.stream().map(Message::getId).toList()).build());
                }
                return received.size() >= MESSAGES;
            });
            long outOfOrder = IntStream.range(1, received.size()).filter(i -> received.get(i) < received.get(i - 1)).count();
            System.out.printf("spool order run: %d spooled on one node, drained by two, received %d, out of order %d%n",
                    MESSAGES, received.size(), outOfOrder);
            assertThat(received).containsExactlyElementsOf(IntStream.range(0, MESSAGES).boxed().toList());
        } finally {
            b.close();
            a.close();
            Services.restoreAll();
            Broker.deleteQueues(List.of(queue));
        }
    }
}
