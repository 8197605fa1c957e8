package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 5 acceptance 2: two bus nodes behind round-robin clients; one is killed with SIGKILL
 * mid-run and started again. Every confirmed publish is delivered; the few delivered twice are
 * the ones in flight on the killed node. Prints published-confirmed, acked, delivered-twice, lost.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeKillIT {

    private static final int MESSAGES = Integer.getInteger("kill.messages", 2000);
    private final String queue = Broker.uniqueName("kill");

    @AfterAll
    void deleteQueue() throws Exception {
        Broker.deleteQueues(List.of(queue));
    }

    /** A client behind a round-robin balancer: the next node; when the connection is lost, the other one. */
    private static <T> T call(List<MqGrpc.MqBlockingStub> nodes, AtomicInteger turn, java.util.function.Function<MqGrpc.MqBlockingStub, T> rpc) {
        int first = Math.floorMod(turn.getAndIncrement(), nodes.size());
        for (int attempt = 0; ; attempt++) {
            MqGrpc.MqBlockingStub node = nodes.get((first + attempt) % nodes.size()).withDeadlineAfter(10, TimeUnit.SECONDS);
            try {
                return rpc.apply(node);
            } catch (StatusRuntimeException e) {
                if (!ConnectionLost.by(e) || attempt > 50) {
                    throw e;
                }
            }
        }
    }

    @Test
    void killingOneOfTwoNodesLosesNothing() throws Exception {
        BusNode a = BusNode.start("nodekill", Map.of("eventbus.ack-deadline-seconds", "5"));
        Map<String, String> bSettings = new HashMap<>(a.settings());
        int bPort = BusNode.freePort();
        bSettings.put("eventbus.rpc-port", String.valueOf(bPort));
        bSettings.put("eventbus.http-port", String.valueOf(BusNode.freePort()));
        File log = new File("target/node-kill-bus.log");
        AtomicReference<BusProcess> b = new AtomicReference<>(BusProcess.start(bSettings, Map.of(), log));
        ManagedChannel bChannel = ManagedChannelBuilder.forAddress("127.0.0.1", bPort).usePlaintext().build();
        List<MqGrpc.MqBlockingStub> nodes = List.of(a.mq(), MqGrpc.newBlockingStub(bChannel));

        Set<String> confirmed = ConcurrentHashMap.newKeySet();
        Map<String, Integer> delivered = new ConcurrentHashMap<>();
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger turn = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int publisher = p;
                work.add(clients.submit(() -> {
                    for (int i = publisher; i < MESSAGES; i += 2) {
                        String data = "m" + i;
                        call(nodes, turn, node -> node.publish(PublishRequest.newBuilder().setQueue(queue).setData(data).build()));
                        confirmed.add(data);
                    }
                    return null;
                }));
            }
            for (int c = 0; c < 2; c++) {
                work.add(clients.submit(() -> {
                    while (!Thread.currentThread().isInterrupted()
                            && !(confirmed.size() == MESSAGES && delivered.keySet().containsAll(confirmed))) {
                        SubscribeResponse message;
                        try {
                            message = call(nodes, turn, node -> node.withDeadlineAfter(2, TimeUnit.SECONDS)
                                    .subscribe(SubscribeRequest.newBuilder().setQueue(queue).build()));
                        } catch (StatusRuntimeException e) {
                            continue; // nothing within 2 s
                        }
                        delivered.merge(message.getData(), 1, Integer::sum);
                        call(nodes, turn, node -> node.ack(QueueId.newBuilder().setId(message.getId()).build()));
                        acked.incrementAndGet();
                    }
                    return null;
                }));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> acked.get() >= MESSAGES / 3);
            b.get().kill();
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> acked.get() >= MESSAGES / 2);
            b.set(BusProcess.start(bSettings, Map.of(), log));
            for (Future<?> f : work) {
                f.get(5, TimeUnit.MINUTES);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            // where the run stood: still publishing, or waiting for messages that do not come
            System.out.printf("node kill run timed out: published-confirmed %d, delivered %d, acked %d, "
                    + "confirmed but not delivered %d%n", confirmed.size(), delivered.size(), acked.get(),
                    confirmed.stream().filter(data -> !delivered.containsKey(data)).count());
            throw e;
        } finally {
            clients.shutdownNow();
            bChannel.shutdownNow();
            b.get().close();
            a.close();
        }
        long twice = delivered.values().stream().filter(n -> n > 1).count();
        long lost = confirmed.stream().filter(data -> !delivered.containsKey(data)).count();
        System.out.printf("node kill run: published-confirmed %d, acked %d, delivered-twice %d, lost %d%n",
                confirmed.size(), acked.get(), twice, lost);
        assertThat(lost).isZero();
        // only what was in flight on the killed node can come twice: its prefetch and the calls it was answering
        assertThat(twice).isLessThanOrEqualTo(40);
    }
}
