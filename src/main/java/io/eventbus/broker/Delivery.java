package io.eventbus.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;

/**
 * One message RabbitMQ handed to this node and that the node has not acked yet: while it is
 * here, the broker still holds it and gives it back if the node dies.
 */
public record Delivery(String queue, Channel channel, long deliveryTag, boolean redelivered,
                       AMQP.BasicProperties properties, byte[] body) {
}
