package io.eventbus.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.eventbus.broker.BrokerPublisher;
import io.eventbus.broker.Inboxes;
import io.eventbus.broker.Topology;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.events.SystemEvents;
import io.eventbus.grpc.ConnectionLimits;
import io.eventbus.grpc.EventBusService;
import io.eventbus.grpc.GrpcIngress;
import io.eventbus.grpc.LocalAcks;
import io.eventbus.grpc.MqService;
import io.eventbus.grpc.MqTopicService;
import io.eventbus.grpc.RouteCalls;
import io.eventbus.http.Health;
import io.eventbus.http.Stats;
import io.eventbus.message.Clock;
import io.eventbus.message.Messages;
import io.eventbus.message.V1Messages;
import io.eventbus.metrics.BusMetrics;
import io.eventbus.partition.Partitions;
import io.eventbus.security.ServerTls;
import io.eventbus.routes.OperationsRoutes;
import io.eventbus.security.AdminGuard;
import io.eventbus.security.Authentication;
import io.eventbus.security.Authorization;
import io.eventbus.security.MessageTargets;
import io.eventbus.security.Tokens;
import io.grpc.ServerInterceptor;
import io.vertx.ext.web.handler.AuthenticationHandler;
import java.util.Map;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import io.eventbus.message.Validator;
import io.eventbus.store.AckedIds;
import io.eventbus.store.IdempotencyKeys;
import io.eventbus.store.InFlightAcks;
import io.eventbus.store.InFlightInserts;
import io.eventbus.store.Ledger;
import io.eventbus.store.QueueSettings;
import io.eventbus.store.Spool;
import io.eventbus.store.SqlStatements;
import io.eventbus.store.SweepClaims;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.Registry;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import com.rabbitmq.client.BlockedListener;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.serializer.StringRedisSerializer;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * Wires the infrastructure (RabbitMQ, the database with its migrations, Redis, the gRPC server)
 * and the beans the routes call by name. Every value comes from application.properties, which
 * the environment and -D flags override.
 */
public class EventBusConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(EventBusConfiguration.class);

    @PropertyInject("eventbus.amqp-url") private String amqpUrl;
    @PropertyInject("eventbus.queue-producers") private int queueProducers;
    @PropertyInject("eventbus.queue-consumers") private int queueConsumers;
    @PropertyInject("eventbus.background-threads") private int backgroundThreads;
    @PropertyInject("eventbus.ledger.queue-size") private int ledgerQueueSize;
    @PropertyInject("eventbus.sweep.claim-seconds") private long claimSeconds;
    @PropertyInject("eventbus.lock-expiration-seconds") private long lockExpirationSeconds;
    @PropertyInject("eventbus.prefetch-count") private int prefetchCount;
    @PropertyInject("eventbus.consumer-idle-seconds") private long consumerIdleSeconds;
    @PropertyInject("eventbus.db.host") private String dbHost;
    @PropertyInject("eventbus.db.port") private int dbPort;
    @PropertyInject("eventbus.db.database") private String dbDatabase;
    @PropertyInject("eventbus.db.username") private String dbUsername;
    @PropertyInject(value = "eventbus.db.password", defaultValue = "") private String dbPassword;
    @PropertyInject("eventbus.db.pool-size") private int dbPoolSize;
    @PropertyInject("eventbus.db.connect-timeout-millis") private long dbConnectTimeoutMillis;
    @PropertyInject("eventbus.redis.addr") private String redisAddr;
    @PropertyInject("eventbus.redis.db") private int redisDb;
    @PropertyInject(value = "eventbus.redis.username", defaultValue = "") private String redisUsername;
    @PropertyInject(value = "eventbus.redis.password", defaultValue = "") private String redisPassword;
    @PropertyInject("eventbus.redis.key-prefix") private String redisKeyPrefix;
    @PropertyInject("eventbus.idempotency-window-seconds") private long idempotencyWindowSeconds;
    @PropertyInject("eventbus.idempotency-pending-seconds") private long idempotencyPendingSeconds;
    @PropertyInject("eventbus.rpc-port") private int rpcPort;
    @PropertyInject("eventbus.rpc-threads") private int rpcThreads;
    @PropertyInject("eventbus.max-message-bytes") private int maxMessageBytes;
    @PropertyInject("eventbus.max-delay-seconds") private long maxDelaySeconds;
    @PropertyInject("eventbus.shutdown-drain-seconds") private long drainSeconds;
    @PropertyInject("eventbus.max-batch") private int maxBatch;
    @PropertyInject(value = "eventbus.node-id", defaultValue = "") private String nodeId;
    @PropertyInject("eventbus.max-wait-seconds") private long maxWaitSeconds;
    @PropertyInject("eventbus.max-in-flight") private int maxInFlight;
    @PropertyInject("eventbus.max-headers") private int maxHeaders;
    @PropertyInject("eventbus.max-header-bytes") private long maxHeaderBytes;
    @PropertyInject("eventbus.max-request-bytes") private int maxRequestBytes;
    @PropertyInject("eventbus.max-streams-per-connection") private int maxStreamsPerConnection;
    @PropertyInject("eventbus.pull-linger-millis") private long pullLingerMillis;
    @PropertyInject("eventbus.confirm-timeout-millis") private long confirmTimeoutMillis;
    @PropertyInject("eventbus.stream-check-millis") private long streamCheckMillis;
    @PropertyInject("eventbus.auth.enabled") private boolean authEnabled;
    @PropertyInject("eventbus.admin-any-address") private boolean adminAnyAddress;
    @PropertyInject(value = ServerTls.ENABLED, defaultValue = "false") private boolean tlsEnabled;
    @PropertyInject(value = ServerTls.CERT_FILE, defaultValue = "") private String tlsCertFile;
    @PropertyInject(value = ServerTls.KEY_FILE, defaultValue = "") private String tlsKeyFile;
    @PropertyInject(value = ServerTls.CLIENT_CA_FILE, defaultValue = "") private String tlsClientCaFile;
    @PropertyInject(value = ServerTls.CLIENT_AUTH, defaultValue = "none") private String tlsClientAuth;
    @PropertyInject(value = ServerTls.HTTP_ENABLED, defaultValue = "true") private boolean tlsHttpEnabled;

    @Override
    public void configure(CamelContext context) throws Exception {
        // gRPC logs through java.util.logging: into logback (logback.xml sets its levels)
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        Registry registry = context.getRegistry();

        // TLS first: unusable TLS files stop the node before it connects to anything
        ServerTls tls = ServerTls.of(tlsEnabled, tlsCertFile, tlsKeyFile, tlsClientCaFile, tlsClientAuth, tlsHttpEnabled);
        LOG.info("TLS: {}", tls);

        if (dbPoolSize < 2) {
            throw new IllegalArgumentException("eventbus.db.pool-size must be at least 2 (the ledger writer's connection and one for the rest), not " + dbPoolSize);
        }
        migrate();
        checkPacketSize();
        HikariDataSource dataSource = pool("event-bus-db", dbPoolSize - 1, false);
        registry.bind("dataSource", dataSource);
        // the ledger writer's own connection: its two statements each take a batch as one JSON
        // string, which a server-side prepared statement sends as it is (a client-side one had the
        // driver escape every quote of it, a tenth of the bus's CPU while consuming)
        HikariDataSource ledgerDataSource = pool("event-bus-ledger", 1, true);
        registry.bind("ledgerDataSource", ledgerDataSource);
        // the one transaction of the routes: a sweep's claim (route claim-due-rows, transacted)
        registry.bind("sweepTransaction", new SpringTransactionPolicy(new JdbcTransactionManager(dataSource)));
        registry.bind("sqlStatements", new SqlStatements());

        CachingConnectionFactory rabbit = new CachingConnectionFactory(rabbitFactory());
        rabbit.setConnectionNameStrategy(factory -> "event-bus publishers");
        rabbit.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
        // a cached channel for every thread that may publish at once (calls and sweeps): a channel
        // beyond the cache is opened and closed around each publish
        rabbit.setChannelCacheSize(Math.max(queueProducers * 8, rpcThreads + backgroundThreads + 4));
        registry.bind("rabbitConnectionFactory", rabbit);

        com.rabbitmq.client.ConnectionFactory consumerFactory = rabbitFactory();
        // prefetch 0: the bus chooses, 200 per consumer the original would have run on the queue (1000
        // by default): a node's one consumer of a queue feeds all the calls waiting on it there (the
        // bench's 32 Pull calls of 100 took 16 % more a second with 1000 than with 250, and RabbitMQ
        // spent 17 % less CPU per message). basic.qos takes at most 65535 unacked messages per consumer
        int prefetch = (int) Math.min(65_535, prefetchCount > 0 ? prefetchCount : 200L * queueConsumers);

        JedisConnectionFactory redisFactory = redis();
        StringRedisTemplate redisTemplate = new StringRedisTemplate(redisFactory);
        // callbacks get the connection itself: the default wraps it in a new proxy on every call, which
        // introspects the connection's few hundred methods each time (2 to 3 % of the call threads'
        // samples during Pull + Ack); no callback of the bus closes its connection
        redisTemplate.setExposeConnection(true);
        registry.bind("redisConnectionFactory", redisFactory);
        registry.bind("redisTemplate", redisTemplate);
        registry.bind("stringSerializer", new StringRedisSerializer());

        QueueSettings settings = new QueueSettings(context.getPropertiesComponent());
        Messages messages = new Messages();
        Inboxes inboxes = new Inboxes(consumerFactory, prefetch,
                consumerIdleSeconds, settings, messages);
        registry.bind("inboxes", inboxes);
        registry.bind("partitions", new Partitions(settings));
        registry.bind("spool", new Spool());
        // the registry camel-micrometer made for Camel's route and JVM metrics (camel.metrics.*) holds
        // the bus's own figures too; /metrics scrapes it
        PrometheusMeterRegistry meters = registry.lookupByNameAndType("metricsRegistry",
                PrometheusMeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind("metricsRegistry", meters);
        }
        BusMetrics metrics = new BusMetrics(meters, settings);
        registry.bind("metrics", metrics);
        String node = nodeId.isBlank() ? defaultNodeId() : nodeId;
        SystemEvents events = new SystemEvents(context.createProducerTemplate(), messages, "seda:system-events",
                node, prefetch, metrics);
        registry.bind("systemEvents", events);
        BrokerPublisher publisher = new BrokerPublisher(new RabbitTemplate(rabbit), messages, confirmTimeoutMillis, events);
        registry.bind("publisher", publisher);
        rabbit.addConnectionListener(new ConnectionListener() {
            @Override
            public void onCreate(org.springframework.amqp.rabbit.connection.Connection connection) {
                events.connected("publishers");
                publisher.newConnection();
                connection.getDelegate().addBlockedListener(new BlockedListener() {
                    @Override
                    public void handleBlocked(String reason) {
                        publisher.blocked(reason);
                    }

                    @Override
                    public void handleUnblocked() {
                        publisher.unblocked();
                    }
                });
            }

            @Override
            public void onShutDown(ShutdownSignalException signal) {
                if (!signal.isInitiatedByApplication()) {
                    events.disconnected("publishers", signal.getMessage());
                }
            }
        });
        inboxes.setEvents(events);
        Topology topology = new Topology(rabbit, settings);
        registry.bind("queueSettings", settings);
        registry.bind("messages", messages);
        registry.bind("stats", new Stats(node, metrics, inboxes));
        // a sweep's claim never outlives the lock expiration (the original's DLMExpiration)
        registry.bind("clock", new Clock(Math.min(claimSeconds, lockExpirationSeconds)));
        registry.bind("sweepClaims", new SweepClaims(claimSeconds, lockExpirationSeconds));
        // the sweeps publish chunks of due rows on this pool (the original's BackConsumerGoroutineNum)
        registry.bind("backgroundPool", context.getExecutorServiceManager()
                .newFixedThreadPool(this, "background", backgroundThreads));
        registry.bind("topology", topology);
        try {
            topology.ensureExchanges(); // before the routes start: the dead-letter consumer needs its queue
        } catch (RuntimeException e) {
            LOG.warn("RabbitMQ not ready at start ({}); declarations are retried on use", e.getMessage());
        }
        Validator validator = new Validator(maxMessageBytes, maxDelaySeconds, maxBatch, maxWaitSeconds, maxInFlight,
                maxHeaders, maxHeaderBytes);
        registry.bind("validate", validator);
        V1Messages v1 = new V1Messages();
        registry.bind("v1", v1);
        registry.bind("idempotency", new IdempotencyKeys(redisTemplate, redisKeyPrefix, Duration.ofSeconds(idempotencyWindowSeconds),
                Duration.ofSeconds(idempotencyPendingSeconds)));
        registry.bind("ledger", new Ledger(context.createProducerTemplate(), "seda:ledger", ledgerQueueSize));
        registry.bind("inFlightAcks", new InFlightAcks(context.createProducerTemplate(), maxBatch));
        // a Pull writes up to max-batch rows a call: 32 calls' rows at most in one insert
        registry.bind("inFlightInserts", new InFlightInserts(context.createProducerTemplate(), 32));
        registry.bind("ackedIds", new AckedIds(redisTemplate, redisKeyPrefix, Duration.ofSeconds(idempotencyWindowSeconds)));

        ThreadPoolExecutor rpcExecutor = new ThreadPoolExecutor(rpcThreads, rpcThreads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(rpcThreads * 64), daemonThreads("grpc-call-"));
        ScheduledExecutorService timers = context.getExecutorServiceManager().newScheduledThreadPool(this, "call-timers", 1);
        LocalAcks localAcks = new LocalAcks();
        registry.bind("localAcks", localAcks);
        RouteCalls calls = new RouteCalls(context.createProducerTemplate(), inboxes, rpcExecutor, timers,
                pullLingerMillis, streamCheckMillis, localAcks, maxBatch);
        // eventbus.auth.*: with auth on, every call needs a known bearer token whose grants cover it
        Tokens tokens = Tokens.configured(key -> context.getPropertiesComponent().resolveProperty(key));
        if (authEnabled && tokens.isEmpty()) {
            throw new IllegalArgumentException("eventbus.auth.enabled is true but eventbus.auth.tokens names no token,"
                    + " so every call would be refused; make one with: java -jar event-bus.jar token NAME --publish ...");
        }
        ServerInterceptor authentication = authEnabled ? new Authentication(tokens, metrics::refused) : null;
        ServerInterceptor authorization = authEnabled
                ? new Authorization(new MessageTargets(dataSource, validator), metrics::refused) : null;
        if (authEnabled) {
            LOG.info("gRPC calls need a bearer token; tokens configured: {}", tokens.size());
        }
        ConnectionLimits connectionLimits = new ConnectionLimits(maxStreamsPerConnection);
        registry.bind("connectionLimits", connectionLimits);
        GrpcIngress ingress = new GrpcIngress(rpcPort, tls.grpcCredentials(), maxInboundBytes(), drainSeconds, rpcExecutor,
                List.of(new MqService(calls, messages), new MqTopicService(calls, messages),
                        new EventBusService(calls, v1, maxInFlight)),
                inboxes::stopWaiting, connectionLimits, authentication, authorization);
        // /stats and Jolokia answer the node's own host, or a token with admin '*' (AdminGuard); the
        // guard goes into the HTTP server's configuration (camel-main made the server, camel.server.*,
        // before this class runs) before the server listens. Jolokia's path is a setting
        // (camel.management.jolokia-path): the guard covers it wherever it is.
        MainHttpServer http = context.hasService(MainHttpServer.class);
        if (http != null) {
            String jolokia = context.getPropertiesComponent().resolveProperty("camel.management.jolokia-path")
                    .or(() -> context.getPropertiesComponent().resolveProperty("camel.management.jolokiaPath"))
                    .orElse("/observe/jolokia").replaceAll("/+$", "");
            AdminGuard guard = new AdminGuard(adminAnyAddress, authEnabled ? tokens : Tokens.of(Map.of()));
            guard(http.getConfiguration().getAuthenticationConfig(), guard, jolokia.startsWith("/observe/")
                    ? new String[] {"/stats", "/observe/*"} : new String[] {"/stats", "/observe/*", jolokia, jolokia + "/*"});
            if (tls.httpSslContextParameters() != null) {
                // HTTPS: the server takes the context's SSL parameters when it starts
                context.setSSLContextParameters(tls.httpSslContextParameters());
                http.setUseGlobalSslContextParameters(true);
            }
        }
        registry.bind("grpcIngress", ingress);
        registry.bind("health", new Health(context, rabbit, dataSource, redisFactory, ingress::isStarted));
        // the HTTP operations endpoints, compiled in beside the YAML routes of routes/
        context.addRoutes(new OperationsRoutes());

        // gRPC opens once every route runs, and closes before any route stops.
        context.addStartupListener(new ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext camelContext, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext camelContext, boolean alreadyStarted) {
                ingress.start();
            }
        });
        context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event.getType() == CamelEvent.Type.CamelContextStopping) {
                    ingress.stop();
                } else if (event.getType() == CamelEvent.Type.CamelContextStopped) {
                    inboxes.close();
                    rabbit.destroy();
                    redisFactory.destroy();
                    dataSource.close();
                    ledgerDataSource.close();
                }
            }
        });
    }

    /**
     * The largest request frame the gRPC transport reads: eventbus.max-request-bytes, but never less
     * than one message of eventbus.max-message-bytes with eventbus.max-header-bytes of headers and
     * room for its other fields. A larger frame is refused with RESOURCE_EXHAUSTED from its length
     * prefix, before its body is read into memory.
     */
    private int maxInboundBytes() {
        long oneMessage = (long) maxMessageBytes + maxHeaderBytes + 64 * 1024;
        long bytes = Math.max(maxRequestBytes, oneMessage);
        if (bytes > maxRequestBytes) {
            LOG.info("gRPC requests up to {} bytes: eventbus.max-request-bytes ({}) is raised to hold one message of "
                    + "eventbus.max-message-bytes with eventbus.max-header-bytes of headers", bytes, maxRequestBytes);
        }
        return (int) Math.min(Integer.MAX_VALUE - 1, bytes);
    }

    /**
     * A RabbitMQ client factory for eventbus.amqp-url. As in the original (Go) bus, a URL whose
     * path is empty or "/" means the default virtual host "/".
     */
    private com.rabbitmq.client.ConnectionFactory rabbitFactory() throws Exception {
        com.rabbitmq.client.ConnectionFactory factory = new com.rabbitmq.client.ConnectionFactory();
        factory.setUri(amqpUrl);
        if (factory.getVirtualHost() == null || factory.getVirtualHost().isEmpty()) {
            factory.setVirtualHost("/");
        }
        factory.setRequestedHeartbeat(10);
        factory.setConnectionTimeout(5000);
        // a channel operation (closing one after a confirm timed out, say) never waits longer than
        // this, even on a connection RabbitMQ blocked for a memory or disk alarm
        factory.setChannelRpcTimeout((int) Math.max(5000, Math.min(confirmTimeoutMillis, 60_000)));
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    private String jdbcUrl(String database, boolean serverPrepared) {
        // cachePrepStmts keeps each statement's parse per connection, but only for statements up
        // to prepStmtCacheSqlLimit characters (256 by default: the ledger's upsert and the in-flight
        // insert are longer, and were parsed again on every execution)
        return "jdbc:mysql://" + dbHost + ":" + dbPort + "/" + database
                + "?useSSL=false&allowPublicKeyRetrieval=true&rewriteBatchedStatements=true"
                + "&cachePrepStmts=true&prepStmtCacheSize=256&prepStmtCacheSqlLimit=8192"
                + "&useServerPrepStmts=" + serverPrepared + "&connectionTimeZone=UTC";
    }

    /**
     * The largest statement the bus sends (bytes): a message's row holds its payload as hex (twice
     * its bytes) and its headers as JSON, and a ledger statement holds up to
     * {@link io.eventbus.store.Ledger#CHUNK_CHARS} of rows and one row more; with room for the rest.
     */
    static long largestStatementBytes(long maxMessageBytes, long maxHeaderBytes) {
        return io.eventbus.store.Ledger.CHUNK_CHARS + 2 * maxMessageBytes + 2 * maxHeaderBytes + 64 * 1024;
    }

    /**
     * Refuses to start when the database's max_allowed_packet cannot take the statement of one
     * message of eventbus.max-message-bytes: every such message would fail where it is written
     * (its in-flight row, for one: the deliveries would go back to RabbitMQ and come again, for ever).
     */
    private void checkPacketSize() {
        long needed = largestStatementBytes(maxMessageBytes, maxHeaderBytes);
        long packet;
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(jdbcUrl("", false), dbUsername,
                dbPassword); java.sql.Statement statement = connection.createStatement();
             java.sql.ResultSet result = statement.executeQuery("SELECT @@max_allowed_packet")) {
            result.next();
            packet = result.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read the database's max_allowed_packet: " + e, e);
        }
        if (packet < needed) {
            throw new IllegalStateException("the database's max_allowed_packet is " + packet + " bytes, and a message of "
                    + "eventbus.max-message-bytes (" + maxMessageBytes + ") with eventbus.max-header-bytes (" + maxHeaderBytes
                    + ") of headers needs statements of up to " + needed + " bytes: raise max_allowed_packet to at least "
                    + needed + " (in the server's configuration, [mysqld] max_allowed_packet) or lower "
                    + "eventbus.max-message-bytes");
        }
    }

    /** The schema, created if missing and migrated, before any pool connects. */
    private void migrate() {
        Flyway.configure()
                .dataSource(jdbcUrl("", false), dbUsername, dbPassword)
                .schemas(dbDatabase)
                .createSchemas(true)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /**
     * A pool of {@code size} connections. Server-side prepared statements only where a statement's
     * text never varies (an IN list of n ids is a statement of its own for each n: prepared on the
     * server, every new n would cost a round trip, which made the calls a fifth slower).
     */
    private HikariDataSource pool(String name, int size, boolean serverPrepared) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(jdbcUrl(dbDatabase, serverPrepared));
        config.setUsername(dbUsername);
        config.setPassword(dbPassword);
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(dbConnectTimeoutMillis);
        config.setInitializationFailTimeout(-1);
        // fewer gap locks between sweeps' claims and in-flight upserts
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        return new HikariDataSource(config);
    }

    private JedisConnectionFactory redis() {
        String[] hostPort = redisAddr.split(":", 2);
        RedisStandaloneConfiguration standalone = new RedisStandaloneConfiguration(hostPort[0],
                hostPort.length > 1 ? Integer.parseInt(hostPort[1]) : 6379);
        standalone.setDatabase(redisDb);
        if (!redisUsername.isEmpty()) {
            standalone.setUsername(redisUsername);
        }
        if (!redisPassword.isEmpty()) {
            standalone.setPassword(redisPassword);
        }
        JedisClientConfiguration client = JedisClientConfiguration.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2))
                .usePooling()
                .build();
        JedisConnectionFactory factory = new JedisConnectionFactory(standalone, client);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    private static void guard(AuthenticationConfig config, AdminGuard guard, String... paths) {
        for (String path : paths) {
            AuthenticationConfig.AuthenticationConfigEntry entry = new AuthenticationConfig.AuthenticationConfigEntry();
            entry.setPath(path);
            entry.setAuthenticationProviderFactory(vertx -> null); // the guard checks bus tokens itself
            entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
                @Override
                public <T extends io.vertx.ext.auth.authentication.AuthenticationProvider> AuthenticationHandler
                        createAuthenticationHandler(T provider) {
                    return guard;
                }
            });
            config.getEntries().add(entry);
        }
        config.setEnabled(true);
    }

    /** host:pid, unique per running node. */
    private static String defaultNodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
