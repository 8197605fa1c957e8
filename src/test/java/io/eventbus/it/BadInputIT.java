package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.eventbus.grpc.mq.DelayPublishRequest;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.mq.TopicPublishRequest;
import io.eventbus.grpc.mq.TopicSubscribeRequest;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Acceptance 9: bad input gets a clear status, never INTERNAL, and logs no stack trace.
 * Ack of an unknown id is NOT_FOUND.
 */
class BadInputIT extends BusTestSupport {

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.max-message-bytes", "1024", "eventbus.max-delay-seconds", "3600");
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void noStackTraceWasLogged() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        assertThat(logs.list).noneMatch(event -> event.getThrowableProxy() != null);
        assertThat(logs.list).noneMatch(event -> event.getLevel() == ch.qos.logback.classic.Level.ERROR);
    }

    private Code publish(String queue, String data) {
        return codeOf(() -> mq().publish(PublishRequest.newBuilder().setQueue(queue).setData(data).build()));
    }

    @Test
    void emptyQueueOrDataIsInvalid() {
        assertThat(publish("", "data")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(publish(queue("empty-data"), "")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> topics().publish(TopicPublishRequest.newBuilder().setTopic("").setData("x").build())))
                .isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> mq().withDeadlineAfter(2, java.util.concurrent.TimeUnit.SECONDS)
                .subscribe(SubscribeRequest.newBuilder().setQueue("").build()))).isEqualTo(Code.INVALID_ARGUMENT);
    }

    @Test
    void namesOutsideTheRuleAreInvalid() {
        assertThat(publish("orders; drop table message", "x")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(publish("amq.orders", "x")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(publish("q".repeat(201), "x")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(publish("ünïcode", "x")).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> topics().withDeadlineAfter(2, java.util.concurrent.TimeUnit.SECONDS)
                .subscribe(TopicSubscribeRequest.newBuilder().setTopic("t").setQueueName("bad/name").build())))
                .isEqualTo(Code.INVALID_ARGUMENT);
    }

    @Test
    void dataOverTheLimitIsResourceExhausted() {
        assertThat(publish(queue("big"), "x".repeat(1025))).isEqualTo(Code.RESOURCE_EXHAUSTED);
        assertThat(publish(queue("fits"), "x".repeat(1024))).isEqualTo(Code.OK);
    }

    @Test
    void delayBeyondTheMaximumIsInvalid() {
        assertThat(codeOf(() -> mq().delayPublish(DelayPublishRequest.newBuilder()
                .setQueue(queue("far")).setData("x").setDelaySeconds(3601).build()))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> mq().delayPublish(DelayPublishRequest.newBuilder()
                .setQueue(queue("far")).setData("x").setDelaySeconds(-1L).build()))).isEqualTo(Code.INVALID_ARGUMENT);
    }

    @Test
    void ackOrNackOfAnUnknownIdIsNotFound() {
        assertThat(codeOf(() -> mq().ack(QueueId.newBuilder().setId("no-such-id").build()))).isEqualTo(Code.NOT_FOUND);
        assertThat(codeOf(() -> mq().nack(QueueId.newBuilder().setId("no-such-id").build()))).isEqualTo(Code.NOT_FOUND);
        assertThat(codeOf(() -> mq().ack(QueueId.newBuilder().setId("").build()))).isEqualTo(Code.INVALID_ARGUMENT);
    }

    @Test
    void nackAfterAckIsFailedPreconditionAndAckTwiceIsFine() {
        String queue = queue("ack-nack");
        assertThat(publish(queue, "once")).isEqualTo(Code.OK);
        SubscribeResponse message = subscribe(queue, Duration.ofSeconds(10)).orElseThrow();
        QueueId id = QueueId.newBuilder().setId(message.getId()).build();

        assertThat(codeOf(() -> mq().ack(id))).isEqualTo(Code.OK);
        assertThat(codeOf(() -> mq().ack(id))).isEqualTo(Code.OK);
        assertThat(codeOf(() -> mq().nack(id))).isEqualTo(Code.FAILED_PRECONDITION);
    }
}
