package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Pull (or compatible subscribe) whose client gives up while the bus gathers messages for it:
 * what it gathered but never replied is due again at once, not at its ack deadline (30 min by
 * default). A long linger keeps the call gathering long enough for the client's deadline to end it.
 */
class AbandonedPullIT extends BusTestSupport {

    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.pull-linger-millis", "4000");
    }

    @Test
    void whatAnAbandonedPullGatheredComesAgainAtOnce() {
        String queue = queue("abandoned");
        String id = bus.v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8("once")).build())
                .getId();
        PullRequest pull = PullRequest.newBuilder().setQueue(queue).setMaxMessages(10).setWaitSeconds(10).build();

        // the message is gathered at once, then the call lingers for more and the client leaves
        assertThatThrownBy(() -> bus.v1().withDeadlineAfter(1500, TimeUnit.MILLISECONDS).pull(pull))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        // the next Pull gets it: gathered, lingered (4 s), replied; within its 10 s wait
        List<Message> again = bus.v1().withDeadlineAfter(30, TimeUnit.SECONDS).pull(pull).getMessagesList();
        assertThat(again).extracting(Message::getId).containsExactly(id);
        // its second delivery: the first went to the call that was abandoned
        assertThat(again.get(0).getAttempt()).isEqualTo(2);
    }
}
