package io.eventbus.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC front door: one grpc-java server on one port for every service (camel-grpc starts one
 * server per service, and the original's clients reach both mq services on one host:port). Calls
 * run on a bounded executor, but those of {@link RouteCalls#DIRECT_METHODS}, which never block,
 * on Netty's own thread. Started once every route runs; stopped first, so that calls in flight
 * finish before the routes they need go away.
 */
public class GrpcIngress extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcIngress.class);

    private final int port;
    private final ServerCredentials credentials;
    private final int maxInboundBytes;
    private final long drainSeconds;
    private final ExecutorService executor;
    private final List<BindableService> services;
    private final Runnable beforeDrain;
    private final ConnectionLimits connectionLimits;
    private final ServerInterceptor authentication;
    private final ServerInterceptor authorization;
    private Server server;

    /**
     * {@code credentials}: TLS (TlsServerCredentials), or InsecureServerCredentials for plaintext;
     * {@code authentication} and {@code authorization}: null when eventbus.auth.enabled is false.
     */
    public GrpcIngress(int port, ServerCredentials credentials, int maxInboundBytes, long drainSeconds,
                       ExecutorService executor, List<BindableService> services, Runnable beforeDrain,
                       ConnectionLimits connectionLimits, ServerInterceptor authentication, ServerInterceptor authorization) {
        this.connectionLimits = connectionLimits;
        this.port = port;
        this.credentials = credentials;
        this.maxInboundBytes = maxInboundBytes;
        this.drainSeconds = drainSeconds;
        this.executor = executor;
        this.services = services;
        this.beforeDrain = beforeDrain;
        this.authentication = authentication;
        this.authorization = authorization;
    }

    @Override
    protected void doStart() {
        NettyServerBuilder builder = NettyServerBuilder.forPort(port, credentials)
                .executor(executor)
                .callExecutor(new ServerCallExecutorSupplier() {
                    @Override
                    public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
                        // null: the executor above
                        return RouteCalls.DIRECT_METHODS.contains(call.getMethodDescriptor().getFullMethodName())
                                ? MoreExecutors.directExecutor() : null;
                    }
                })
                .maxInboundMessageSize(maxInboundBytes)
                .addTransportFilter(connectionLimits).intercept(connectionLimits)
                .maxConcurrentCallsPerConnection(connectionLimits.hardCap())
                .addService(authenticated(ProtoReflectionServiceV1.newInstance().bindService()));
        services.forEach(service -> builder.addService(authenticated(ParsedRequests.of(authorized(service.bindService())))));
        try {
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for gRPC on port " + port, e);
        }
        LOG.info("gRPC listening on port {} ({} services)", server.getPort(), services.size());
    }

    /**
     * With auth on: a call without a known token ends before its request is read (so before it is
     * parsed), and a parsed request is checked against the token's grant before a route sees it.
     */
    private ServerServiceDefinition authenticated(ServerServiceDefinition service) {
        return authentication == null ? service : ServerInterceptors.intercept(service, authentication);
    }

    private ServerServiceDefinition authorized(ServerServiceDefinition service) {
        return authorization == null ? service : ServerInterceptors.intercept(service, authorization);
    }

    /** The port actually bound (differs from the configured one when that is 0). */
    public int port() {
        return server == null ? port : server.getPort();
    }

    @Override
    protected void doStop() throws InterruptedException {
        if (server == null) {
            return;
        }
        server.shutdown();
        beforeDrain.run();
        if (!server.awaitTermination(drainSeconds, TimeUnit.SECONDS)) {
            LOG.warn("gRPC calls still running after {} s; cancelling them", drainSeconds);
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        executor.shutdown();
        LOG.info("gRPC stopped");
    }
}
