package io.eventbus.it;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.cli.Queues;
import java.util.Collection;
import java.util.List;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Plain AMQP access to the local RabbitMQ for tests: unique queue names and clean-up. */
public final class Broker {

    private Broker() {
    }

    public static ConnectionFactory factory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(5672);
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setVirtualHost("/");
        return factory;
    }

    /** A queue name no other test or run uses. */
    public static String uniqueName(String prefix) {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        return "it." + prefix + "." + HexFormat.of().formatHex(random);
    }

    /** Deletes the queues and their dead-letter queues. */
    public static void deleteQueues(Collection<String> queues) throws Exception {
        deleteQueues(queues, 0);
    }

    /** Deletes the queues, their dead-letter queues and their partitions q.0 … q.(partitions-1). */
    public static void deleteQueues(Collection<String> queues, int partitions) throws Exception {
        try (Connection connection = factory().newConnection()) {
            Queues.delete(connection, queues, partitions);
        }
    }

    /** Adds to {@code seen} the events of one node on the shared system-event feed (read with a plain AMQP client). */
    public static List<com.fasterxml.jackson.databind.JsonNode> systemEvents(String nodeId,
            List<com.fasterxml.jackson.databind.JsonNode> seen) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (var connection = factory().newConnection(); var channel = connection.createChannel()) {
            com.rabbitmq.client.GetResponse got;
            while ((got = channel.basicGet("eventbus.system-events", true)) != null) {
                var event = json.readTree(got.getBody());
                if (event.path("id").asText().startsWith(nodeId)) {
                    seen.add(event);
                }
            }
        }
        return seen;
    }
}
