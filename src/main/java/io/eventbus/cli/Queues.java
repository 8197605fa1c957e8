package io.eventbus.cli;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeoutException;

/** Removal of queues a client made for itself (the bench's; the tests' too), straight on RabbitMQ. */
public final class Queues {

    private Queues() {
    }

    /** Deletes each queue with its dead-letter queue and its partitions q.0 … q.(partitions-1); missing ones are skipped. */
    public static void delete(Connection connection, Collection<String> queues, int partitions)
            throws IOException, TimeoutException {
        for (String queue : queues) {
            List<String> names = new ArrayList<>(List.of(queue, queue + ".dlq"));
            for (int i = 0; i < partitions; i++) {
                names.add(queue + "." + i);
            }
            for (String name : names) {
                Channel channel = connection.createChannel();
                try {
                    channel.queueDelete(name);
                } catch (IOException notThere) {
                    // nothing to delete (the failed call closed the channel)
                } finally {
                    if (channel.isOpen()) {
                        channel.close();
                    }
                }
            }
        }
    }
}
