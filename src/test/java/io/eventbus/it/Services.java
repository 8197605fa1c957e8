package io.eventbus.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The machine's RabbitMQ, MariaDB and Redis, for fault tests that stop them and must bring them back. */
final class Services {

    static final int RABBITMQ = 5672;
    static final int MARIADB = 3306;
    static final int REDIS = 6379;

    private Services() {
    }

    static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
    }

    static void awaitDown(int port) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !listening(port));
    }

    /** Starts whatever of RabbitMQ is stopped: the app of a running node, or the node itself. */
    static void startRabbitMq() throws Exception {
        run("rabbitmqctl", "start_app");
        if (!listening(RABBITMQ)) {
            run("rabbitmq-server", "-detached");
        }
        run("rabbitmqctl", "await_startup");
        await().atMost(Duration.ofSeconds(120)).until(() -> listening(RABBITMQ));
    }

    static void startMariaDb() throws Exception {
        run("start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd", "--", "--user=mysql");
        await().atMost(Duration.ofSeconds(60)).until(() -> listening(MARIADB));
    }

    static void startRedis() throws Exception {
        run("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
                "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log");
        await().atMost(Duration.ofSeconds(30)).until(() -> listening(REDIS));
    }

    /** Brings back whichever of the three is down. */
    static void restoreAll() throws Exception {
        if (!listening(RABBITMQ)) {
            startRabbitMq();
        }
        if (!listening(MARIADB)) {
            startMariaDb();
        }
        if (!listening(REDIS)) {
            startRedis();
        }
    }
}
