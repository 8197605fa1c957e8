package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without Redis: a publish with an idempotency key is UNAVAILABLE and says why; one without a
 * key, delivery and ack still work. The node is pointed at a port where no Redis listens, so
 * the shared Redis of the machine is never stopped.
 */
class RedisDownIT extends BusTestSupport {

    @Override
    protected Map<String, String> settings() {
        try {
            return Map.of("eventbus.redis.addr", "127.0.0.1:" + BusNode.freePort());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void publishWithAKeyIsUnavailableAndWithoutOneWorks() {
        String queue = queue("no-redis");
        PublishRequest.Builder request = PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8("x"));

        StatusRuntimeException refused = null;
        try {
            bus.v1().publish(request.setIdempotencyKey("k-1").build());
        } catch (StatusRuntimeException e) {
            refused = e;
        }
        assertThat(refused).isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refused.getStatus().getDescription()).contains("Redis").contains("idempotency_key");

        String id = bus.v1().publish(request.clearIdempotencyKey().build()).getId();
        List<Message> delivered = bus.v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(5).setWaitSeconds(5).build())
                .getMessagesList();
        assertThat(delivered).extracting(Message::getId).containsExactly(id);
        assertThat(bus.v1().ack(AckRequest.newBuilder().addIds(id).build()).getAcked()).isEqualTo(1);
    }
}
