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
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5 acceptance 3: MariaDB restarted mid-run, then Redis restarted mid-run, while 2
 * publishers and 2 consumers work: lost 0. Each service is brought back even when the test fails.
 */
class DependencyRestartIT extends BusTestSupport {

    private static final int MESSAGES = Integer.getInteger("restart.messages", 1500);

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
    }

    private static void startMariaDb() throws Exception {
        run("start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd", "--", "--user=mysql");
        await().atMost(Duration.ofSeconds(60)).until(() -> listening(3306));
    }

    private static void startRedis() throws Exception {
        run("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
                "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log");
        await().atMost(Duration.ofSeconds(30)).until(() -> listening(6379));
    }

    @AfterAll
    void servicesAreBack() throws Exception {
        if (!listening(3306)) {
            startMariaDb();
        }
        if (!listening(6379)) {
            startRedis();
        }
    }

    /** A client that retries what an outage refused (UNAVAILABLE), as a well-behaved client does. */
    private static <T> T retrying(Supplier<T> call) {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt > 600) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    @Test
    void restartingTheDatabaseAndRedisMidRunLosesNothing() throws Exception {
        String queue = queue("restarts");
        Set<String> confirmed = ConcurrentHashMap.newKeySet();
        Map<String, Integer> delivered = new ConcurrentHashMap<>();
        AtomicInteger acked = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> work = new ArrayList<>();
        MqGrpc.MqBlockingStub mq = bus.mq();
        try {
            for (int p = 0; p < 2; p++) {
                int publisher = p;
                work.add(clients.submit(() -> {
                    for (int i = publisher; i < MESSAGES; i += 2) {
                        String data = "m" + i;
                        retrying(() -> mq.withDeadlineAfter(10, TimeUnit.SECONDS)
                                .publish(PublishRequest.newBuilder().setQueue(queue).setData(data).build()));
                        confirmed.add(data);
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // a steady trickle across both restarts
                    }
                    return null;
                }));
            }
            for (int c = 0; c < 2; c++) {
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
                        retrying(() -> mq.withDeadlineAfter(10, TimeUnit.SECONDS).ack(QueueId.newBuilder().setId(message.getId()).build()));
                        acked.incrementAndGet();
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> acked.get() >= MESSAGES / 4);
            try {
                run("mysqladmin", "-uroot", "shutdown");
                await().atMost(Duration.ofSeconds(60)).until(() -> !listening(3306));
            } finally {
                startMariaDb();
            }
            int ackedAfterDb = acked.get();
            await().atMost(Duration.ofMinutes(2)).until(() -> acked.get() >= ackedAfterDb + MESSAGES / 4);
            try {
                run("redis-cli", "shutdown", "nosave");
                await().atMost(Duration.ofSeconds(30)).until(() -> !listening(6379));
            } finally {
                startRedis();
            }
            for (Future<?> f : work) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            clients.shutdownNow();
        }
        long twice = delivered.values().stream().filter(n -> n > 1).count();
        long lost = confirmed.stream().filter(data -> !delivered.containsKey(data)).count();
        System.out.printf("restart run: published-confirmed %d, acked %d, delivered-twice %d, lost %d%n",
                confirmed.size(), acked.get(), twice, lost);
        assertThat(lost).isZero();
    }
}
