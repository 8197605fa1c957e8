package io.eventbus.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.BusException;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ValidatorTest {

    private final Validator validator = new Validator(10, 60, 1000, 300, 10_000, 64, 65_536);

    private static void assertOverLimit(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String key) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
                .hasMessageContaining("(" + key + ")");
    }

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
        for (String bad : new String[] {"", "q".repeat(201), "a b", "a/b", "x'; drop table message; --", "amq.direct",
                "amq.gen-1", "q\"; DELETE FROM scheduled; #", "a#b", "a*b", "a\u0000b", "orders\n", "ordérs"}) {
            assertThatThrownBy(() -> validator.name(bad, "queue"))
                    .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("queue name");
        }
    }

    @Test
    void refusesEmptyDataOversizeDataAndFarDelays() {
        assertThatThrownBy(() -> validator.message(message("q", "", 0)))
                .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertOverLimit(() -> validator.message(message("q", "01234567890", 0)), "eventbus.max-message-bytes");
        assertThatThrownBy(() -> validator.message(message("q", "01234567890", 0))).hasMessageContaining("11 bytes");
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

    private static BusMessage withHeaders(int count, int valueLength) {
        BusMessage message = message("q", "x", 0);
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            headers.put("h" + i, "v".repeat(valueLength));
        }
        message.setHeaders(headers);
        return message;
    }

    @Test
    void headersAreBoundedInCountAndSizeWithResourceExhausted() {
        assertThat(validator.message(withHeaders(64, 1)).getHeaders()).hasSize(64);
        assertOverLimit(() -> validator.message(withHeaders(65, 1)), "eventbus.max-headers");
        assertThatThrownBy(() -> validator.message(withHeaders(65, 1))).hasMessageStartingWith("65 headers: at most 64");
        assertOverLimit(() -> validator.message(withHeaders(10_000, 1)), "eventbus.max-headers");

        // "h0" and 65 534 bytes are exactly the limit
        assertThat(validator.message(withHeaders(1, 65_534)).getHeaders()).hasSize(1);
        assertOverLimit(() -> validator.message(withHeaders(1, 65_535)), "eventbus.max-header-bytes");
        assertThatThrownBy(() -> validator.message(withHeaders(1, 65_535))).hasMessageContaining("65537 bytes");
    }

    @Test
    void headerNamesFitAnAmqpHeaderName() {
        BusMessage longest = message("q", "x", 0);
        longest.setHeaders(java.util.Map.of("h".repeat(200), "v"));
        assertThat(validator.message(longest).getHeaders()).hasSize(1);
        for (String name : new String[] {"h".repeat(201), "é".repeat(101), "h".repeat(238)}) {
            BusMessage tooLong = message("q", "x", 0);
            tooLong.setHeaders(java.util.Map.of(name, "v"));
            assertThatThrownBy(() -> validator.message(tooLong))
                    .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("at most 200 (UTF-8)");
        }
    }

    @Test
    void headerBytesAreCountedInUtf8() {
        BusMessage wide = message("q", "x", 0);
        // 3 bytes a character: 21 846 characters are 65 538 bytes with the name
        wide.setHeaders(java.util.Map.of("h", "€".repeat(21_846)));
        assertOverLimit(() -> validator.message(wide), "eventbus.max-header-bytes");
        assertThat(Validator.utf8Length("a€😀é")).isEqualTo("a€😀é".getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void limitsComeFromTheConfiguration() {
        Validator strict = new Validator(10, 60, 2, 300, 5, 2, 10);
        assertOverLimit(() -> strict.message(withHeaders(3, 1)), "eventbus.max-headers");
        assertOverLimit(() -> strict.message(withHeaders(1, 10)), "eventbus.max-header-bytes");
        assertThat(strict.message(withHeaders(2, 1)).getHeaders()).hasSize(2);
        assertOverLimit(() -> strict.messages(java.util.List.of(message("q", "x", 0), message("q", "y", 0),
                message("q", "z", 0))), "eventbus.max-batch");
        assertOverLimit(() -> strict.ids(java.util.List.of("a", "b", "c")), "eventbus.max-batch");
        assertOverLimit(() -> strict.pull(io.eventbus.grpc.v1.PullRequest.newBuilder().setQueue("q").setMaxMessages(3).build()),
                "eventbus.max-batch");
        assertOverLimit(() -> strict.subscribe(io.eventbus.grpc.v1.SubscribeRequest.newBuilder().setQueue("q")
                .setMaxInFlight(6).build()), "eventbus.max-in-flight");
        assertThat(strict.subscribe(io.eventbus.grpc.v1.SubscribeRequest.newBuilder().setQueue("q").setMaxInFlight(5)
                .build()).getMaxInFlight()).isEqualTo(5);
    }

    @Test
    void batchesOfIdsAndMessagesOverTheLimitAreResourceExhausted() {
        java.util.List<String> ids = java.util.stream.IntStream.range(0, 1001).mapToObj(i -> "id" + i).toList();
        assertOverLimit(() -> validator.ids(ids), "eventbus.max-batch");
        assertOverLimit(() -> validator.nack(io.eventbus.grpc.v1.NackRequest.newBuilder().addAllIds(ids).build()),
                "eventbus.max-batch");
        assertOverLimit(() -> validator.extension(io.eventbus.grpc.v1.ExtendDeadlineRequest.newBuilder().addAllIds(ids)
                .setSeconds(10).build()), "eventbus.max-batch");
        java.util.List<BusMessage> batch = java.util.Collections.nCopies(1001, message("q", "x", 0));
        assertOverLimit(() -> validator.messages(batch), "eventbus.max-batch");
        // a message of a batch over a limit keeps its code
        assertOverLimit(() -> validator.messages(java.util.List.of(message("q", "x", 0), withHeaders(65, 1))),
                "eventbus.max-headers");
    }

    @Test
    void malformedInputStaysInvalidArgument() {
        assertThatThrownBy(() -> validator.pull(io.eventbus.grpc.v1.PullRequest.newBuilder().setQueue("q")
                .setWaitSeconds(301).build()))
                .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        BusMessage emptyName = withHeaders(1, 1);
        emptyName.setHeaders(java.util.Map.of("", "v"));
        assertThatThrownBy(() -> validator.message(emptyName))
                .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void aRefusedNameIsShownWithItsControlCharactersEscaped() {
        assertThatThrownBy(() -> validator.name("a\u0000b\nc", "queue")).hasMessageContaining("a\\u0000b\\u000ac");
    }

    @Test
    void batchesNameTheBadMessage() {
        assertThatThrownBy(() -> validator.messages(java.util.List.of(message("q", "x", 0), message("q", "", 0))))
                .hasMessageStartingWith("messages[1]: data is empty");
        assertThatThrownBy(() -> validator.messages(java.util.List.of())).hasMessageContaining("no messages");
        assertThatThrownBy(() -> validator.ids(java.util.List.of())).hasMessageContaining("ids is empty");
    }

    /** Received from RabbitMQ (a plain AMQP client's): what the bus cannot deliver is marked, with why. */
    @Test
    void receivedMessagesBeyondTheLimitsAreMarkedUndeliverable() {
        BusMessage fine = message("q", "0123456789", 0);
        fine.setId("fine");
        fine.setKey("k".repeat(255));
        BusMessage longKey = message("q", "x", 0);
        longKey.setId("long-key");
        longKey.setKey("k".repeat(256));
        BusMessage longId = message("q", "x", 0);
        longId.setId("i".repeat(256));
        BusMessage large = message("q", "01234567890", 0);
        large.setId("large");
        BusMessage empty = message("q", "", 0);
        empty.setId("empty");

        validator.markUndeliverable(java.util.List.of(fine, longKey, longId, large, empty));

        assertThat(fine.getUndeliverable()).isNull();
        assertThat(empty.getUndeliverable()).as("an empty payload is a plain client's to send").isNull();
        assertThat(longKey.getUndeliverable()).isEqualTo("its key has 256 characters: at most 255 are allowed");
        assertThat(longId.getUndeliverable()).isEqualTo("its id has 256 characters: at most 255 are allowed");
        assertThat(large.getUndeliverable())
                .isEqualTo("its payload has 11 bytes: at most 10 are allowed (eventbus.max-message-bytes)");
    }
}
