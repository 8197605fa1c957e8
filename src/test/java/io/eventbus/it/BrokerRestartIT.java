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
        try (Workload load = new Workload(bus.mq(), queue("broker-restart"), MESSAGES, 4, 4, 2)) {
            await().atMost(Duration.ofMinutes(5)).until(() -> load.acked() >= MESSAGES / 4);
            try {
                Services.run("rabbitmqctl", "stop_app");
                Services.awaitDown(Services.RABBITMQ);
            } finally {
                Services.startRabbitMq();
            }
            int afterFirst = load.acked();
            await().atMost(Duration.ofMinutes(5)).until(() -> load.acked() >= afterFirst + MESSAGES / 4);
            try {
                Services.run("rabbitmqctl", "stop");
                Services.awaitDown(Services.RABBITMQ);
            } finally {
                Services.startRabbitMq();
            }
            load.finish(10);
            System.out.println(load.report("broker restart run"));
            assertThat(load.lost()).isZero();
        }
    }
}
