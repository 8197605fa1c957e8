package io.eventbus.message;

/** Partition i of queue q is the RabbitMQ queue {@code q.<i>} (DESIGN §4). */
public final class PartitionNames {

    private PartitionNames() {
    }

    public static String of(String queue, int partition) {
        return queue + "." + partition;
    }
}
