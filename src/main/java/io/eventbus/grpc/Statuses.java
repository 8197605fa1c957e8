package io.eventbus.grpc;

import io.eventbus.BusException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps what a route threw to the status a gRPC caller gets: a {@link BusException} to its own code
 * (never logged: it is the caller's mistake), an outage of RabbitMQ, the database or Redis to
 * UNAVAILABLE (logged in one line), anything else to INTERNAL (logged with its stack trace).
 */
public final class Statuses {

    private static final Logger LOG = LoggerFactory.getLogger(Statuses.class);

    private Statuses() {
    }

    public static StatusRuntimeException of(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof BusException bus) {
                return Status.fromCode(bus.code()).withDescription(bus.getMessage()).asRuntimeException();
            }
            if (t instanceof StatusRuntimeException status) {
                return status;
            }
        }
        Throwable outage = outage(thrown);
        if (outage != null) {
            LOG.warn("Refused a call, a dependency is unavailable: {}", outage.toString());
            return Status.UNAVAILABLE.withDescription("a dependency of the bus is unavailable, retry later: " + outage)
                    .asRuntimeException();
        }
        if (thrown instanceof CancellationException) {
            return Status.UNAVAILABLE.withDescription("the bus node is stopping; retry on another node").asRuntimeException();
        }
        LOG.error("Unexpected failure of a call", thrown);
        return Status.INTERNAL.withDescription("internal error: " + thrown).asRuntimeException();
    }

    private static Throwable outage(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            String type = t.getClass().getName();
            if (t instanceof SQLException || t instanceof IOException || t instanceof TimeoutException
                    || type.startsWith("org.springframework.dao.") || type.startsWith("org.springframework.amqp.")
                    || type.startsWith("org.springframework.data.redis.") || type.startsWith("org.springframework.jdbc.")
                    || type.startsWith("com.rabbitmq.client.") || type.startsWith("redis.clients.")) {
                return t;
            }
        }
        return null;
    }
}
