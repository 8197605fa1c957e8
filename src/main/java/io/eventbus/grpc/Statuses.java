package io.eventbus.grpc;

import io.eventbus.BusException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
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

    /** The cause that says a dependency is unreachable or busy for now (not a bug, not bad input), or null. */
    private static Throwable outage(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientException || t instanceof java.sql.SQLRecoverableException
                    || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof org.springframework.dao.TransientDataAccessException
                    || t instanceof org.springframework.dao.DataAccessResourceFailureException
                    || t instanceof org.springframework.dao.RecoverableDataAccessException
                    || t instanceof org.springframework.amqp.AmqpException
                    // the RabbitMQ client's own: a channel or connection closed under the call
                    || t instanceof com.rabbitmq.client.ShutdownSignalException
                    || t instanceof redis.clients.jedis.exceptions.JedisConnectionException
                    || t instanceof IOException || t instanceof TimeoutException || lostConnection(t)) {
                return t;
            }
        }
        return null;
    }

    /**
     * A statement on a database connection that closed under it (the database restarted): SQL state
     * class 08, or the pool's own "Connection is closed", which carries no state.
     */
    private static boolean lostConnection(Throwable t) {
        if (!(t instanceof java.sql.SQLException sql)) {
            return false;
        }
        String state = sql.getSQLState();
        return state != null ? state.startsWith("08") : "Connection is closed".equals(sql.getMessage());
    }
}
