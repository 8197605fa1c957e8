package io.eventbus.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One message RabbitMQ handed to this node and that the node has not acked yet: while it is
 * here, the broker still holds it and gives it back if the node dies.
 *
 * @param queue the bus queue (for a partition, the partitioned queue, not {@code q.<i>})
 * @param partition the partition it came from; -1 for a plain queue
 * @param attempt the delivery number when the bus redelivers a partition's head in place; 0: the
 *                message's own x-eventbus-attempt header
 * @param settled whether the broker delivery was acked or given back already (see {@link #settle})
 */
public record Delivery(String queue, int partition, Channel channel, long deliveryTag, boolean redelivered,
                       AMQP.BasicProperties properties, byte[] body, int attempt, AtomicBoolean settled) {

    public Delivery(String queue, int partition, Channel channel, long deliveryTag, boolean redelivered,
                    AMQP.BasicProperties properties, byte[] body, int attempt) {
        this(queue, partition, channel, deliveryTag, redelivered, properties, body, attempt, new AtomicBoolean());
    }

    /** A message of a plain queue. */
    public Delivery(String queue, Channel channel, long deliveryTag, boolean redelivered,
                    AMQP.BasicProperties properties, byte[] body) {
        this(queue, -1, channel, deliveryTag, redelivered, properties, body, 0);
    }

    /** The same broker delivery, offered again as delivery number {@code attempt}. */
    public Delivery again(int attempt) {
        return new Delivery(queue, partition, channel, deliveryTag, redelivered, properties, body, attempt, settled);
    }

    public boolean fromPartition() {
        return partition >= 0;
    }

    /**
     * Marks the broker delivery settled (acked, or given back): true the first time. A delivery is
     * settled once: RabbitMQ closes the channel on an ack or reject of a tag it no longer knows, and
     * gives back every other unacked delivery of that channel.
     */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }
}
