package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5 acceptance 1: RabbitMQ restarted twice, with stop_app/start_app and with a full stop and
 * start of the node, while 4 publishers and 4 consumers work. Lost: 0. The broker is brought back
 * even when the test fails.
 */
class BrokerRestartIT extends BusTestSupport {

    private static final int MESSAGES = Integer.getInteger("broker.messages", 2000);

    /**
     * A delivery whose reply crossed the client's deadline never reached the client: it comes again
     * after the ack deadline, here 60 s instead of 30 min so that the run ends.
     */
    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.ack-deadline-seconds", "60");
    }

    @AfterAll
    void brokerIsBack() throws Exception {
        Services.restoreAll();
    }

    @Test
    void twoBrokerRestartsDuringLoadLoseNothing() throws Exception {
        // publishing spans about 25 s; each restart begins while publishers are still at work
        try (Workload load = new Workload(bus.mq(), queue("broker-restart"), MESSAGES, 4, 4, Duration.ofSeconds(25))) {
            await().atMost(Duration.ofMinutes(2)).until(() -> load.confirmed() >= MESSAGES / 5);
            try {
                Services.run("rabbitmqctl", "stop_app");
                Services.awaitDown(Services.RABBITMQ);
            } finally {
                Services.startRabbitMq();
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> load.confirmed() >= MESSAGES * 3 / 5);
            try {
                Services.run("rabbitmqctl", "stop");
                Services.awaitDown(Services.RABBITMQ);
            } finally {
                Services.startRabbitMq();
            }
            load.finish(Math.max(5, MESSAGES / 10_000));
            System.out.println(load.report("broker restart run"));
            assertThat(load.lost()).isZero();
        }
    }
}
