package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A sweep's claim is a lease, renewed while its round runs: when RabbitMQ holds the round's
 * confirms back for longer than the claim lasts (its queue process suspended: nothing tells the
 * publisher, confirms just stop), the round keeps its rows, and the other node's sweep does not
 * publish them too. The queue is resumed even when the test fails.
 */
class SlowBrokerSweepIT {

    private static final int MESSAGES = 200;

    @Test
    void aRoundSlowerThanItsClaimKeepsItsRowsAndNothingIsPublishedTwice() throws Exception {
        String queue = Broker.uniqueName("slow-sweep");
        // claims of 1 s; a confirm may take 30 s before the round gives up
        BusNode a = BusNode.start("slowsweep", Map.of("eventbus.sweep.claim-seconds", "1",
                "eventbus.confirm-timeout-millis", "30000"));
        Map<String, String> settings = new HashMap<>(a.settings());
        settings.put("eventbus.rpc-port", String.valueOf(BusNode.freePort()));
        settings.put("eventbus.http-port", String.valueOf(BusNode.freePort()));
        BusProcess b = BusProcess.start(settings, Map.of(), new File("target/slow-sweep-second-node.log"));
        try {
            publishWhileTheQueueIsSlow(a, queue);
            List<String> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                List<Message> messages = a.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(100)
                        .setWaitSeconds(1).build()).getMessagesList();
                messages.forEach(m -> received.add(m.getId()));
                if (!messages.isEmpty()) {
                    a.v1().ack(AckRequest.newBuilder().addAllIds(messages.stream().map(Message::getId).toList()).build());
                }
                return received.size() >= MESSAGES;
            });
            // a copy published twice would follow within the confirms' release
            List<Message> more = a.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(100)
                    .setWaitSeconds(3).build()).getMessagesList();
            long distinct = received.stream().distinct().count();
            System.out.printf("slow broker sweep: %d delayed, received %d, distinct %d, more after %d%n",
                    MESSAGES, received.size(), distinct, more.size());
            assertThat(distinct).isEqualTo(MESSAGES);
            assertThat(received).as("published once each").hasSize(MESSAGES);
            assertThat(more).as("published once each").isEmpty();
            assertThat(claims(a, queue).rows()).as("rows left").isZero();
        } finally {
            b.close();
            a.close();
            Broker.deleteQueues(List.of(queue));
        }
    }

    /**
     * Delayed messages fall due while their queue's process is suspended: their round waits for
     * confirms, and the same rounds hold every row for four times the claim's length. The queue
     * is resumed at the end, also when that fails.
     */
    private void publishWhileTheQueueIsSlow(BusNode a, String queue) throws Exception {
        // the queue exists before its process is suspended
        a.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(1).build());
        PublishBatchRequest.Builder batch = PublishBatchRequest.newBuilder();
        for (int i = 0; i < MESSAGES; i++) {
            batch.addMessages(PublishRequest.newBuilder().setQueue(queue).setDelaySeconds(2)
                    .setData(ByteString.copyFromUtf8("d" + i)));
        }
        a.v1().publishBatch(batch.build());
        queueProcess(queue, "suspend");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> claims(a, queue).claimed() == MESSAGES);
            Set<String> holders = claims(a, queue).tokens();
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> {
                Claims now = claims(a, queue);
                return now.claimed() == MESSAGES && now.tokens().equals(holders);
            });
        } finally {
            queueProcess(queue, "resume");
        }
    }

    private record Claims(int rows, int claimed, Set<String> tokens) {
    }

    private static Claims claims(BusNode node, String queue) throws Exception {
        try (Connection db = DriverManager.getConnection(BusNode.DB_URL + node.database(), "root", "");
             PreparedStatement select = db.prepareStatement("SELECT claim FROM scheduled WHERE queue = ? AND kind = 'DELAY'")) {
            select.setString(1, queue);
            int rows = 0;
            int claimed = 0;
            Set<String> tokens = new HashSet<>();
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    rows++;
                    String claim = result.getString(1);
                    if (claim != null) {
                        claimed++;
                        tokens.add(claim);
                    }
                }
            }
            return new Claims(rows, claimed, tokens);
        }
    }

    /** Suspends or resumes the queue's process on the broker (sys:suspend / sys:resume). */
    private static void queueProcess(String queue, String action) throws Exception {
        String pid = "amqqueue:get_pid(element(2, rabbit_amqqueue:lookup(rabbit_misc:r(<<\"/\">>, queue, <<\"" + queue + "\">>))))";
        Process process = new ProcessBuilder("rabbitmqctl", "eval", "sys:" + action + "(" + pid + ").")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).as("rabbitmqctl eval sys:%s", action).endsWith("ok");
    }
}
