package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5 acceptance 3: MariaDB restarted mid-run, then Redis restarted mid-run, while 2
 * publishers and 2 consumers work: lost 0. Each service is brought back even when the test fails.
 */
class DependencyRestartIT extends BusTestSupport {

    private static final int MESSAGES = Integer.getInteger("restart.messages", 1500);

    /**
     * A delivery whose reply crossed the client's deadline never reached the client: it comes again
     * after the ack deadline, here 60 s instead of 30 min so that the run ends.
     */
    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.ack-deadline-seconds", "60");
    }

    @AfterAll
    void servicesAreBack() throws Exception {
        Services.restoreAll();
    }

    @Test
    void restartingTheDatabaseAndRedisMidRunLosesNothing() throws Exception {
        // publishing spans about 20 s; each restart begins while publishers are still at work
        try (Workload load = new Workload(bus.mq(), queue("restarts"), MESSAGES, 2, 2, Duration.ofSeconds(20))) {
            await().atMost(Duration.ofMinutes(2)).until(() -> load.confirmed() >= MESSAGES / 5);
            try {
                Services.run("mysqladmin", "-uroot", "shutdown");
                Services.awaitDown(Services.MARIADB);
            } finally {
                Services.startMariaDb();
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> load.confirmed() >= MESSAGES * 3 / 5);
            try {
                Services.run("redis-cli", "shutdown", "nosave");
                Services.awaitDown(Services.REDIS);
            } finally {
                Services.startRedis();
            }
            load.finish(5);
            System.out.println(load.report("restart run"));
            assertThat(load.lost()).isZero();
        }
    }
}
