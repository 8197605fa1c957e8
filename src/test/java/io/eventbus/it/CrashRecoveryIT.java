package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Acceptance 8: a bus process killed with SIGKILL while a message is in flight loses nothing;
 * started again, it delivers the message again once its ack deadline passed. The deadline comes
 * from an environment variable, so this also shows the environment overriding a key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashRecoveryIT {

    private final String queue = Broker.uniqueName("crash");

    @AfterAll
    void deleteQueues() throws Exception {
        Broker.deleteQueues(List.of(queue));
    }

    @Test
    void inFlightMessageSurvivesKillMinusNine() throws Exception {
        int rpcPort = BusNode.freePort();
        Map<String, String> settings = BusNode.baseSettings("crash", rpcPort, BusNode.freePort());
        // from the environment, as in a container: eventbus.ack-deadline-seconds
        Map<String, String> environment = Map.of("EVENTBUS_ACK_DEADLINE_SECONDS", "3");
        BusNode.dropDatabase(settings.get("eventbus.db.database"));
        File log = new File("target/crash-recovery-bus.log");
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", rpcPort).usePlaintext().build();
        MqGrpc.MqBlockingStub mq = MqGrpc.newBlockingStub(channel);
        try {
            SubscribeResponse delivered;
            long deliveredAt;
            BusProcess first = BusProcess.start(settings, environment, log);
            try {
                mq.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .publish(PublishRequest.newBuilder().setQueue(queue).setData("survivor").build());
                delivered = mq.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .subscribe(SubscribeRequest.newBuilder().setQueue(queue).build());
                deliveredAt = System.nanoTime();
            } finally {
                first.kill();
            }
            assertThat(first.isAlive()).isFalse();

            try (BusProcess second = BusProcess.start(settings, environment, log)) {
                SubscribeResponse again = mq.withDeadlineAfter(20, TimeUnit.SECONDS)
                        .subscribe(SubscribeRequest.newBuilder().setQueue(queue).build());
                assertThat(again.getId()).isEqualTo(delivered.getId());
                assertThat(again.getData()).isEqualTo("survivor");
                long redeliveredAfterMillis = (System.nanoTime() - deliveredAt) / 1_000_000;
                // the 3 s deadline from the environment, not the 1800 s default
                assertThat(redeliveredAfterMillis).isBetween(3000L, 25_000L);
                mq.withDeadlineAfter(10, TimeUnit.SECONDS).ack(QueueId.newBuilder().setId(again.getId()).build());
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
