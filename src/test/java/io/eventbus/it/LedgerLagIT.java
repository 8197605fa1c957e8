package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.GetMessageRequest;
import io.eventbus.grpc.v1.MessageRecord;
import io.eventbus.grpc.v1.PublishRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ledger is written in batches "a fraction of a second behind" (GetMessage): also under a
 * steady trickle of messages, where rows keep coming closer together than a batch's wait, so a
 * batch that waited for a pause in the rows would wait until it was full.
 */
class LedgerLagIT extends BusTestSupport {

    /** A message and when its Publish call returned. */
    private record Published(String id, long atNanos) {
    }

    @Test
    void aSteadyTrickleOfMessagesIsInTheLedgerWithinASecond() throws Exception {
        String queue = queue("ledger-lag");
        List<Published> published = new CopyOnWriteArrayList<>();
        ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
        try {
            // 50 messages a second: one ledger row every 20 ms, far from a full batch
            publisher.scheduleAtFixedRate(() -> {
                String id = bus.v1().publish(PublishRequest.newBuilder().setQueue(queue)
                        .setData(ByteString.copyFromUtf8("trickle")).build()).getId();
                published.add(new Published(id, System.nanoTime()));
            }, 0, 20, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> published.size() >= 200);

            // while the trickle goes on: every message published a second ago or earlier is there
            long secondAgo = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);
            List<Published> older = published.stream().filter(p -> p.atNanos() <= secondAgo).toList();
            assertThat(older).hasSizeGreaterThan(100);
            for (Published message : List.of(older.get(0), older.get(older.size() / 2), older.get(older.size() - 1))) {
                MessageRecord record = bus.v1().getMessage(GetMessageRequest.newBuilder().setId(message.id()).build());
                assertThat(record.getStatus()).as("ledger status of %s", message.id()).isEqualTo("READY");
            }
        } finally {
            publisher.shutdownNow();
            publisher.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
