package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Acceptance 7: a plain AMQP client (amqp-client) and the bus exchange messages both ways. */
class AmqpInteropIT extends BusTestSupport {

    @Test
    void plainAmqpClientReadsWhatTheBusPublished() throws Exception {
        String queue = queue("to-amqp");
        mq().publish(PublishRequest.newBuilder().setQueue(queue).setData("from the bus").build());

        try (Connection connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            GetResponse got = channel.basicGet(queue, true);
            assertThat(got).isNotNull();
            assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("from the bus");
            assertThat(got.getProps().getMessageId()).isNotBlank();
            assertThat(got.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(got.getProps().getHeaders()).containsKey("x-eventbus-published-at");
            assertThat(got.getProps().getHeaders().get("x-eventbus-attempt")).hasToString("1");
        }
    }

    @Test
    void messageAPlainAmqpClientPublishedComesOutOfSubscribe() throws Exception {
        String queue = queue("from-amqp");
        // the bus declares the queue on first subscribe
        assertThat(subscribe(queue, Duration.ofMillis(300))).isEmpty();

        try (Connection connection = Broker.factory().newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("eventbus.direct", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                    "from amqp".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5000);
        }

        SubscribeResponse message = subscribe(queue, Duration.ofSeconds(10)).orElseThrow();
        assertThat(message.getData()).isEqualTo("from amqp");
        assertThat(message.getId()).isNotBlank();
        mq().ack(QueueId.newBuilder().setId(message.getId()).build());
    }
}
