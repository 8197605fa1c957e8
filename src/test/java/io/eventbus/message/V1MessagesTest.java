package io.eventbus.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.UnknownMessageException;
import io.eventbus.grpc.v1.AckResponse;
import io.eventbus.grpc.v1.NackRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class V1MessagesTest {

    private final V1Messages v1 = new V1Messages();

    @Test
    void ackOutcomesBecomeCountsAndUnknownIds() {
        AckResponse response = v1.ackResponse(List.of("x", "y"),
                List.of(v1.acked("a"), v1.unknown("b"), v1.acked("c"), v1.unknown("d")));
        assertThat(response.getAcked()).isEqualTo(4);
        assertThat(response.getUnknownIdsList()).containsExactly("b", "d");
    }

    @Test
    void idsNotFoundInFlightKeepTheirOrderOnce() {
        assertThat(v1.notAmong(List.of("a", "b", "c", "b", "d"), List.of("c", "a"))).containsExactly("b", "d");
    }

    @Test
    void nackDelayIsAbsentUnlessGiven() {
        assertThat(v1.nackDelay(NackRequest.newBuilder().addIds("a").build())).isNull();
        assertThat(v1.nackDelay(NackRequest.newBuilder().addIds("a").setDelaySeconds(0).build())).isZero();
    }

    @Test
    void aMessageRoundTripsItsBytesHeadersAndKey() {
        BusMessage message = new BusMessage();
        message.setId("id-1");
        message.setQueue("q");
        message.setData(new byte[] {0, (byte) 255, 10});
        message.setKey("k");
        message.setHeaders(Map.of("a", "b"));
        message.setAttempt(3);
        var wire = v1.toV1(message);
        assertThat(wire.getData().toByteArray()).containsExactly(0, 255, 10);
        assertThat(wire.getHeadersMap()).containsEntry("a", "b");
        assertThat(wire.getKey()).isEqualTo("k");
        assertThat(wire.getAttempt()).isEqualTo(3);
        assertThat(wire.getPartition()).isEqualTo(-1);
    }

    @Test
    void headersSurviveTheirJsonColumn() {
        BusMessage message = new BusMessage();
        message.setHeaders(Map.of("trace", "t-1", "ünï", "çødé"));
        BusMessage stored = new BusMessage();
        stored.setHeadersJson(message.getHeadersJson());
        assertThat(stored.getHeaders()).isEqualTo(message.getHeaders());
        assertThat(new BusMessage().getHeadersJson()).isNull();
    }

    @Test
    void aMessageTheLedgerDoesNotKnowIsNotFound() {
        assertThatThrownBy(() -> v1.record("nope", null, List.of())).isInstanceOf(UnknownMessageException.class);
        var record = v1.record("id", Map.of("status", "ACKED", "attempt", 2, "published_at", 5L, "queue", "q",
                "data", "x".getBytes(StandardCharsets.UTF_8)), List.of(Map.of("event", "PUBLISHED", "at_micros", 5L, "attempt", 1)));
        assertThat(record.getStatus()).isEqualTo("ACKED");
        assertThat(record.getHistory(0).getStatus()).isEqualTo("PUBLISHED");
        assertThat(record.getHistory(0).getDetail()).isEqualTo("attempt 1");
    }
}
