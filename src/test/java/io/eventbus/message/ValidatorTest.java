package io.eventbus.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.BusException;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ValidatorTest {

    private final Validator validator = new Validator(10, 60, 1000, 300, 10_000);

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

    @Test
    void acceptsAmqpTopicPatternsAndRefusesMalformedOnes() {
        for (String good : new String[] {"orders", "orders.*", "#", "#.eu", "orders.*.eu", "a_b:c-d.#"}) {
            assertThat(validator.pattern(good)).isEqualTo(good);
        }
        for (String bad : new String[] {"", "a..b", "orders.*x", "a b", ".a", "a.", "a/b", "x".repeat(201)}) {
            assertThatThrownBy(() -> validator.pattern(bad)).as(bad)
                    .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        }
    }

    @Test
    void aMessageGoesToAQueueOrATopicNeverBothNorNeither() {
        BusMessage both = message("q", "x", 0);
        both.setTopic("t");
        assertThatThrownBy(() -> validator.message(both)).hasMessageContaining("both queue and topic");
        BusMessage neither = message(null, "x", 0);
        assertThatThrownBy(() -> validator.message(neither)).hasMessageContaining("neither queue nor topic");
    }

    @Test
    void headersAreBoundedInCountAndSize() {
        BusMessage many = message("q", "x", 0);
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 0; i < 65; i++) {
            headers.put("h" + i, "v");
        }
        many.setHeaders(headers);
        assertThatThrownBy(() -> validator.message(many)).hasMessageContaining("65 headers");
        BusMessage big = message("q", "x", 0);
        big.setHeaders(java.util.Map.of("h", "v".repeat(70_000)));
        assertThatThrownBy(() -> validator.message(big)).hasMessageContaining("headers take");
    }

    @Test
    void batchesNameTheBadMessage() {
        assertThatThrownBy(() -> validator.messages(java.util.List.of(message("q", "x", 0), message("q", "", 0))))
                .hasMessageStartingWith("messages[1]: data is empty");
        assertThatThrownBy(() -> validator.messages(java.util.List.of())).hasMessageContaining("no messages");
        assertThatThrownBy(() -> validator.ids(java.util.List.of())).hasMessageContaining("ids is empty");
    }
}
