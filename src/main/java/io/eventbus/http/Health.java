package io.eventbus.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/** What {@code GET /health} reports: each dependency, the routes and the gRPC listener, UP or DOWN with the reason. */
public class Health {

    private final CamelContext context;
    private final ConnectionFactory rabbit;
    private final DataSource database;
    private final RedisConnectionFactory redis;
    private final BooleanSupplier grpcServing;

    public Health(CamelContext context, ConnectionFactory rabbit, DataSource database, RedisConnectionFactory redis,
                  BooleanSupplier grpcServing) {
        this.context = context;
        this.rabbit = rabbit;
        this.database = database;
        this.redis = redis;
        this.grpcServing = grpcServing;
    }

    public Map<String, Object> report() {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("rabbitmq", check(() -> rabbit.createConnection().isOpen()));
        checks.put("database", check(() -> {
            try (var connection = database.getConnection()) {
                return connection.isValid(2);
            }
        }));
        checks.put("redis", check(() -> {
            try (RedisConnection connection = redis.getConnection()) {
                return "PONG".equals(connection.ping());
            }
        }));
        checks.put("routes", check(() -> context.getRoutes().stream()
                .map(Route::getId)
                .allMatch(id -> context.getRouteController().getRouteStatus(id) == ServiceStatus.Started
                        || !context.getRoute(id).isAutoStartup())));
        checks.put("grpc", check(grpcServing::getAsBoolean));
        boolean up = checks.values().stream().allMatch("UP"::equals);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("status", up ? "UP" : "DOWN");
        // live: the process answers (a restart would not help a dependency's outage);
        // ready: every dependency is up, so calls can be served
        report.put("live", true);
        report.put("ready", up);
        report.put("checks", checks);
        return report;
    }

    private static String check(Callable<Boolean> probe) {
        try {
            return Boolean.TRUE.equals(probe.call()) ? "UP" : "DOWN";
        } catch (Exception e) {
            return "DOWN: " + e.getMessage();
        }
    }
}
