package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ stopped while clients publish: every publish is still accepted (into the SQL spool),
 * health says the broker is down, and once it is back every message is delivered, the spooled
 * ones in publish order. Lost: 0. The broker is brought back even when the test fails.
 */
class BrokerOutageIT extends BusTestSupport {

    private static void rabbitmqctl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " failed");
        }
    }

    private static boolean brokerListening() {
        try (Socket socket = new Socket("127.0.0.1", 5672)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void startBroker() throws Exception {
        rabbitmqctl("start_app");
        rabbitmqctl("await_startup");
        await().atMost(Duration.ofSeconds(60)).until(BrokerOutageIT::brokerListening);
    }

    @AfterAll
    void brokerIsBack() throws Exception {
        if (!brokerListening()) {
            startBroker();
        }
    }

    private int health() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bus.httpPort() + "/health"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void publishesDuringAnOutageAreSpooledAndDeliveredWhenTheBrokerIsBack() throws Exception {
        String queue = queue("outage");
        for (int i = 0; i < 20; i++) {
            mq().publish(PublishRequest.newBuilder().setQueue(queue).setData("before-" + i).build());
        }
        try {
            rabbitmqctl("stop_app");
            await().atMost(Duration.ofSeconds(30)).until(() -> !brokerListening());
            for (int i = 0; i < 30; i++) {
                mq().publish(PublishRequest.newBuilder().setQueue(queue).setData("during-" + i).build());
            }
            assertThat(health()).isEqualTo(503);
        } finally {
            startBroker();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> health() == 200);

        List<String> received = new ArrayList<>();
        while (received.size() < 50) {
            SubscribeResponse message = subscribe(queue, Duration.ofSeconds(30)).orElseThrow(
                    () -> new AssertionError("lost: " + (50 - received.size()) + " of 50, received " + received));
            received.add(message.getData());
            mq().ack(QueueId.newBuilder().setId(message.getId()).build());
        }
        assertThat(received).hasSize(50).doesNotHaveDuplicates();
        assertThat(received.stream().filter(d -> d.startsWith("during-")).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 30).mapToObj(i -> "during-" + i).toList());
        assertThat(subscribe(queue, Duration.ofSeconds(2))).isEmpty();
    }
}
