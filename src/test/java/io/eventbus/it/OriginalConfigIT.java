package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.eventbus.config.OriginalConfig;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 7 acceptance 6: a bus started from the original's config.yaml (docs/config.yaml) behaves
 * as one started with the same settings written as properties by hand.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OriginalConfigIT {

    private static final Path SAMPLE = Path.of(System.getProperty("basedir", "."), "docs", "config.yaml");

    /** Each test node's own: its ports and its database win over the file's. */
    private static final Set<String> NODE_OWN = Set.of("eventbus.rpc-port", "eventbus.http-port", "eventbus.db.database");

    /** docs/config.yaml written by hand as properties (without the node's own ports and database). */
    private static final Map<String, String> BY_HAND = Map.ofEntries(
            Map.entry("eventbus.retry-times", "5"),
            Map.entry("eventbus.lock-expiration-seconds", "900"),
            Map.entry("eventbus.ack-deadline-seconds", "600"),
            Map.entry("eventbus.nack-delay-seconds", "120"),
            Map.entry("eventbus.sweep.redelivery-enabled", "true"),
            Map.entry("eventbus.sweep.delay-enabled", "false"),
            Map.entry("eventbus.background-enabled", "false"),
            Map.entry("eventbus.background-threads", "8"),
            Map.entry("eventbus.amqp-url", "amqp://guest:guest@127.0.0.1:5672/"),
            Map.entry("eventbus.prefetch-count", "200"),
            Map.entry("eventbus.redis.addr", "127.0.0.1:6379"),
            Map.entry("eventbus.redis.db", "1"),
            Map.entry("eventbus.redis.username", ""),
            Map.entry("eventbus.redis.password", ""),
            Map.entry("eventbus.db.host", "127.0.0.1"),
            Map.entry("eventbus.db.port", "3306"),
            Map.entry("eventbus.db.username", "root"),
            Map.entry("eventbus.db.password", ""),
            Map.entry("eventbus.queue-consumers", "3"),
            Map.entry("eventbus.queue-producers", "4"));

    private Map<String, String> fromTheFile;
    private BusNode fileNode;
    private BusNode handNode;
    private final List<String> queues = new ArrayList<>();

    @BeforeAll
    void startBothNodes() throws Exception {
        fromTheFile = OriginalConfig.read(SAMPLE).requireKnownKeys().properties();
        // as serve --config does, then the node's own ports and database over the file's
        Map<String, String> settings = new LinkedHashMap<>(fromTheFile);
        NODE_OWN.forEach(settings::remove);
        fileNode = BusNode.start("OriginalConfigFile", settings);
        handNode = BusNode.start("OriginalConfigHand", BY_HAND);
    }

    @AfterAll
    void stopBothNodes() throws Exception {
        for (BusNode node : new BusNode[] {fileNode, handNode}) {
            if (node != null) {
                node.close();
            }
        }
        Broker.deleteQueues(queues);
    }

    private static String resolved(BusNode node, String key) {
        return node.context().getPropertiesComponent().resolveProperty(key).orElse(null);
    }

    @Test
    void everyMappedSettingResolvesAsWrittenByHand() {
        Set<String> mapped = new HashSet<>(BY_HAND.keySet());
        mapped.addAll(NODE_OWN);
        assertThat(fromTheFile.keySet()).containsExactlyInAnyOrderElementsOf(mapped);

        for (Map.Entry<String, String> setting : fromTheFile.entrySet()) {
            String key = setting.getKey();
            if (NODE_OWN.contains(key)) {
                assertThat(resolved(fileNode, key)).as(key).isEqualTo(fileNode.settings().get(key))
                        .isNotEqualTo(setting.getValue());
            } else {
                assertThat(resolved(fileNode, key)).as(key).isEqualTo(setting.getValue())
                        .isEqualTo(resolved(handNode, key));
            }
        }
    }

    @Test
    void theFilesSwitchesStartTheSameRoutes() {
        for (BusNode node : List.of(fileNode, handNode)) {
            var routes = node.context().getRouteController();
            // CronDelayPublishEnabled: false, BackgroundConsumerEnabled: false, CronRepublishEnabled: true
            assertThat(routes.getRouteStatus("sweep-due-delays")).isEqualTo(ServiceStatus.Stopped);
            assertThat(routes.getRouteStatus("file-broker-dead-letters")).isEqualTo(ServiceStatus.Stopped);
            assertThat(routes.getRouteStatus("sweep-due-redeliveries")).isEqualTo(ServiceStatus.Started);
            assertThat(routes.getRouteStatus("sweep-spooled-messages")).isEqualTo(ServiceStatus.Started);
        }
    }

    /** RetryTimes: 5 (the default is 3): five redeliveries, each nacked, then the dead letters. */
    @Test
    void aMessageIsDeadLetteredAfterTheFilesRetryTimes() {
        for (BusNode node : List.of(fileNode, handNode)) {
            String queue = Broker.uniqueName("original-config");
            queues.add(queue);
            var bus = node.v1();
            String id = bus.publish(PublishRequest.newBuilder().setQueue(queue)
                    .setData(ByteString.copyFromUtf8("poison")).build()).getId();

            for (int attempt = 1; attempt <= 6; attempt++) {
                List<Message> pulled = bus.pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(1)
                        .setWaitSeconds(10).build()).getMessagesList();
                assertThat(pulled).as("delivery %d on %s", attempt, node.database()).hasSize(1);
                assertThat(pulled.get(0).getId()).isEqualTo(id);
                assertThat(pulled.get(0).getAttempt()).isEqualTo(attempt);
                bus.nack(NackRequest.newBuilder().addIds(id).setDelaySeconds(0).setReason("attempt " + attempt).build());
            }

            await().atMost(Duration.ofSeconds(15)).until(() -> "DEAD".equals(node.ledgerStatus(id)));
            List<Message> dead = bus.pull(PullRequest.newBuilder().setQueue(queue + ".dlq").setMaxMessages(1)
                    .setWaitSeconds(10).build()).getMessagesList();
            assertThat(dead).extracting(Message::getId).containsExactly(id);
            assertThat(dead.get(0).getAttempt()).as("in the dead letters, attempt 1 again").isEqualTo(1);
            assertThat(bus.pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(1).setWaitSeconds(1).build())
                    .getMessagesList()).isEmpty();
            // a dead letter nacked by its consumer is retried in <queue>.dlq, not sent on to <queue>.dlq.dlq
            bus.nack(NackRequest.newBuilder().addIds(id).setDelaySeconds(0).setReason("dead letter, once more").build());
            List<Message> again = bus.pull(PullRequest.newBuilder().setQueue(queue + ".dlq").setMaxMessages(1)
                    .setWaitSeconds(10).build()).getMessagesList();
            assertThat(again).extracting(Message::getId, Message::getAttempt).containsExactly(org.assertj.core.groups.Tuple.tuple(id, 2));
            bus.ack(AckRequest.newBuilder().addIds(id).build());
        }
    }
}
