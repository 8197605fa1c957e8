package io.eventbus.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.BusException;
import io.grpc.Status;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.Test;

class StatusesTest {

    private static Status.Code codeOf(Throwable thrown) {
        return Statuses.of(new CamelExecutionException("route failed", null, thrown)).getStatus().getCode();
    }

    @Test
    void theCallersMistakeKeepsItsCode() {
        assertThat(codeOf(BusException.invalid("queue name is empty"))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    /** A channel or connection of RabbitMQ closed under the call: retry later, not a bug of the bus. */
    @Test
    void aClosedRabbitMqChannelOrConnectionIsUnavailable() {
        assertThat(codeOf(new ShutdownSignalException(false, false, null, null))).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(codeOf(new AlreadyClosedException(new ShutdownSignalException(true, false, null, null))))
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(codeOf(new org.springframework.amqp.AmqpConnectException(new java.net.ConnectException("refused"))))
                .isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void anythingElseIsInternal() {
        assertThat(codeOf(new IllegalStateException("a bug"))).isEqualTo(Status.Code.INTERNAL);
    }
}
