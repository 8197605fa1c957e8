package io.eventbus.it;

import io.eventbus.config.EventBusConfiguration;
import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.MqTopicGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * One bus node started in this JVM from the real configuration, against the local RabbitMQ,
 * MariaDB and Redis, with its own database, Redis key prefix and free ports, so that test
 * classes never see each other's state.
 */
public final class BusNode implements AutoCloseable {

    public static final String DB_URL = "jdbc:mysql://127.0.0.1:3306/";

    private final Main main;
    private final String database;
    private final int rpcPort;
    private final int httpPort;
    private final ManagedChannel channel;
    private final Map<String, String> settings;

    private BusNode(Main main, String database, int rpcPort, int httpPort, Map<String, String> settings) {
        this.main = main;
        this.settings = settings;
        this.database = database;
        this.rpcPort = rpcPort;
        this.httpPort = httpPort;
        this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", rpcPort).usePlaintext().build();
    }

    /** Settings every test node shares: its own database and key prefix, fast sweeps. */
    public static Map<String, String> baseSettings(String name, int rpcPort, int httpPort) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("camel.main.name", "event-bus-" + name); // its own Quartz scheduler and JMX names
        settings.put("eventbus.rpc-port", String.valueOf(rpcPort));
        settings.put("eventbus.http-port", String.valueOf(httpPort));
        settings.put("eventbus.db.database", database(name));
        settings.put("eventbus.redis.key-prefix", "evtest:" + name + ":" + System.nanoTime() + ":");
        settings.put("eventbus.sweep.interval-millis", "200");
        settings.put("eventbus.consumer-maintain-millis", "500");
        return settings;
    }

    public static String database(String name) {
        return "evtest_" + name.toLowerCase().replaceAll("[^a-z0-9_]", "_");
    }

    /** Starts a node; {@code settings} override application.properties. */
    public static BusNode start(String name, Map<String, String> settings) throws Exception {
        return start(name, settings, freePort());
    }

    public static BusNode start(String name, Map<String, String> settings, int rpcPort) throws Exception {
        int httpPort = freePort();
        Map<String, String> all = baseSettings(name, rpcPort, httpPort);
        all.putAll(settings);
        dropDatabase(all.get("eventbus.db.database"));
        return start(all);
    }

    /** Starts a node with exactly these settings (a restart: its database is kept). */
    public static BusNode start(Map<String, String> all) throws Exception {
        Main main = new Main();
        main.configure().addConfiguration(EventBusConfiguration.class);
        all.forEach(main::addOverrideProperty);
        main.start();
        return new BusNode(main, all.get("eventbus.db.database"), Integer.parseInt(all.get("eventbus.rpc-port")),
                Integer.parseInt(all.get("eventbus.http-port")), all);
    }

    public static void dropDatabase(String database) throws SQLException {
        try (Connection connection = DriverManager.getConnection(DB_URL, "root", "");
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS `" + database + "`");
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public MqGrpc.MqBlockingStub mq() {
        return MqGrpc.newBlockingStub(channel);
    }

    public MqTopicGrpc.MqTopicBlockingStub topics() {
        return MqTopicGrpc.newBlockingStub(channel);
    }

    public io.eventbus.grpc.v1.EventBusGrpc.EventBusBlockingStub v1() {
        return io.eventbus.grpc.v1.EventBusGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    public io.eventbus.grpc.v1.EventBusGrpc.EventBusStub v1Async() {
        return io.eventbus.grpc.v1.EventBusGrpc.newStub(channel);
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** The node's CamelContext: its resolved properties, its routes. */
    public CamelContext context() {
        return main.getCamelContext();
    }

    /** Every setting this node runs with, for a second node that shares its database and Redis keys. */
    public Map<String, String> settings() {
        return Map.copyOf(settings);
    }

    public int rpcPort() {
        return rpcPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public String database() {
        return database;
    }

    /** The ledger's status of a message, or null when it has none (yet). */
    public String ledgerStatus(String id) throws SQLException {
        return Ledgers.status(database, id);
    }

    /** The ledger's events of a message, oldest first. */
    public List<String> ledgerEvents(String id) throws SQLException {
        List<String> events = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(DB_URL + database, "root", "");
             PreparedStatement select = connection.prepareStatement(
                     "SELECT event FROM message_event WHERE message_id = ? ORDER BY at_micros, seq")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    events.add(rows.getString(1));
                }
            }
        }
        return events;
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        main.stop();
    }
}
