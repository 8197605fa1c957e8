package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5 acceptance 1: RabbitMQ restarted twice, with stop_app/start_app and with a full stop and
 * start of the node, while 4 publishers and 4 consumers work. Lost: 0. The broker is brought back
 * even when the test fails.
 */
class BrokerRestartIT extends BusTestSupport {

    private static final int MESSAGES = Integer.getInteger("broker.messages", 2000);

    private static boolean listening() {
        try (Socket socket = new Socket("127.0.0.1", 5672)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
    }

    /** Starts whatever is stopped: the app of a running node, or the node itself. */
    private static void startBroker() throws Exception {
        run("rabbitmqctl", "start_app");
        if (!listening()) {
            run("rabbitmq-server", "-detached");
        }
        run("rabbitmqctl", "await_startup");
        await().atMost(Duration.ofSeconds(120)).until(BrokerRestartIT::listening);
    }

    @AfterAll
    void brokerIsBack() throws Exception {
        if (!listening()) {
            startBroker();
        }
    }

    private static void retryUnavailable(Runnable call) {
        for (int attempt = 0; ; attempt++) {
            try {
                call.run();
                return;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt > 1200) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    @Test
    void twoBrokerRestartsDuringLoadLoseNothing() throws Exception {
        String queue = queue("broker-restart");
        Set<String> confirmed = ConcurrentHashMap.newKeySet();
        Map<String, Integer> delivered = new ConcurrentHashMap<>();
        AtomicInteger acked = new AtomicInteger();
        MqGrpc.MqBlockingStub mq = bus.mq();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        try {
            for (int p = 0; p < 4; p++) {
                int publisher = p;
                work.add(clients.submit(() -> {
                    for (int i = publisher; i < MESSAGES; i += 4) {
                        String data = "m" + i;
                        retryUnavailable(() -> mq.withDeadlineAfter(15, TimeUnit.SECONDS)
                                .publish(PublishRequest.newBuilder().setQueue(queue).setData(data).build()));
                        confirmed.add(data);
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // spread the load over both restarts
                    }
                    return null;
                }));
            }
            for (int c = 0; c < 4; c++) {
                work.add(clients.submit(() -> {
                    while (!(confirmed.size() == MESSAGES && delivered.keySet().containsAll(confirmed))) {
                        SubscribeResponse message;
                        try {
                            message = mq.withDeadlineAfter(2, TimeUnit.SECONDS).subscribe(SubscribeRequest.newBuilder().setQueue(queue).build());
                        } catch (StatusRuntimeException e) {
                            if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                            }
                            continue;
                        }
                        delivered.merge(message.getData(), 1, Integer::sum);
                        retryUnavailable(() -> mq.withDeadlineAfter(15, TimeUnit.SECONDS).ack(QueueId.newBuilder().setId(message.getId()).build()));
                        acked.incrementAndGet();
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofMinutes(5)).until(() -> acked.get() >= MESSAGES / 4);
            try {
                run("rabbitmqctl", "stop_app");
                await().atMost(Duration.ofSeconds(60)).until(() -> !listening());
            } finally {
                startBroker();
            }
            int afterFirst = acked.get();
            await().atMost(Duration.ofMinutes(5)).until(() -> acked.get() >= afterFirst + MESSAGES / 4);
            try {
                run("rabbitmqctl", "stop");
                await().atMost(Duration.ofSeconds(60)).until(() -> !listening());
            } finally {
                startBroker();
            }
            for (Future<?> f : work) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            clients.shutdownNow();
        }
        long twice = delivered.values().stream().filter(n -> n > 1).count();
        long lost = confirmed.stream().filter(data -> !delivered.containsKey(data)).count();
        System.out.printf("broker restart run: published-confirmed %d, acked %d, delivered-twice %d, lost %d%n",
                confirmed.size(), acked.get(), twice, lost);
        assertThat(lost).isZero();
    }
}
