package io.eventbus.routes;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.dataformat.JsonLibrary;

/**
 * HTTP on {@code eventbus.http-port}, what operators and orchestrators watch: liveness,
 * readiness per dependency, stats and Prometheus metrics. Compiled in (Java DSL) rather than
 * YAML under {@code routes/}: these keep answering while the message flow's YAML routes are
 * edited and reloaded, and an edit there cannot break them.
 */
public class OperationsRoutes extends RouteBuilder {

    private static final String JSON = "application/json";

    @Override
    public void configure() {
        from("platform-http:/ping?httpMethodRestrict=GET").routeId("answer-ping")
                .setBody(constant("pong"));

        // liveness: the process answers; a dependency's outage should not restart it
        from("platform-http:/health/live?httpMethodRestrict=GET").routeId("report-liveness")
                .setBody(constant("{\"status\":\"UP\"}"))
                .setHeader(Exchange.CONTENT_TYPE, constant(JSON));

        // readiness: 200 when RabbitMQ, the database, Redis, the routes and gRPC are UP, else 503,
        // with each check (the Docker image's health check)
        from("platform-http:/health?httpMethodRestrict=GET").routeId("report-health")
                .bean("health", "report")
                .choice()
                    .when(simple("${body[ready]}")).setHeader(Exchange.HTTP_RESPONSE_CODE, constant(200))
                    .otherwise().setHeader(Exchange.HTTP_RESPONSE_CODE, constant(503))
                .end()
                .marshal().json(JsonLibrary.Jackson)
                .setHeader(Exchange.CONTENT_TYPE, constant(JSON));

        // per queue: what this node counted since it started, what waits in SQL for all nodes,
        // the calls waiting on this node; per node: its id, producers and consumers
        from("platform-http:/stats?httpMethodRestrict=GET").routeId("report-stats")
                .routeConfigurationId("client-statements")
                .to("sql:SELECT queue, topic, kind, COUNT(*) AS n FROM scheduled GROUP BY queue, topic, kind")
                .bean("stats", "report")
                .marshal().json(JsonLibrary.Jackson)
                .setHeader(Exchange.CONTENT_TYPE, constant(JSON));

        // Prometheus text: the bus's own eventbus_* figures, Camel's route metrics, the JVM's
        from("platform-http:/metrics?httpMethodRestrict=GET").routeId("report-metrics")
                .bean("metricsRegistry", "scrape()")
                .setHeader(Exchange.CONTENT_TYPE, constant("text/plain; version=0.0.4; charset=utf-8"));
    }
}
