package io.eventbus.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.BusException;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ValidatorTest {

    private final Validator validator = new Validator(10, 60);

    private static BusMessage message(String queue, String data, long delaySeconds) {
        BusMessage message = new BusMessage();
        message.setQueue(queue);
        message.setData(data.getBytes(StandardCharsets.UTF_8));
        message.setDelaySeconds(delaySeconds);
        return message;
    }

    @Test
    void acceptsNamesOfTheRule() {
        assertThat(validator.name("orders.eu:v1-a_b", "queue")).isEqualTo("orders.eu:v1-a_b");
        assertThat(validator.name("q".repeat(200), "queue")).hasSize(200);
    }

    @Test
    void refusesNamesOutsideTheRuleWithTheRuleInTheMessage() {
        for (String bad : new String[] {"", "q".repeat(201), "a b", "a/b", "x'; drop table message; --", "amq.direct"}) {
            assertThatThrownBy(() -> validator.name(bad, "queue"))
                    .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("queue name");
        }
    }

    @Test
    void refusesEmptyDataOversizeDataAndFarDelays() {
        assertThatThrownBy(() -> validator.message(message("q", "", 0)))
                .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> validator.message(message("q", "01234567890", 0)))
                .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
                .hasMessageContaining("11 bytes");
        assertThatThrownBy(() -> validator.message(message("q", "x", 61)))
                .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("eventbus.max-delay-seconds");
        assertThat(validator.message(message("q", "0123456789", 60)).getQueue()).isEqualTo("q");
    }

    @Test
    void checksTheTopicWhenThereIsOne() {
        BusMessage message = message(null, "x", 0);
        message.setTopic("amq.topic");
        assertThatThrownBy(() -> validator.message(message)).hasMessageContaining("topic name");
    }
}
