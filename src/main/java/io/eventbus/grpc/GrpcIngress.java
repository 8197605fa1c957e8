package io.eventbus.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC front door: one grpc-java server on one port for every service (camel-grpc starts one
 * server per service, and the original's clients reach both mq services on one host:port). Calls
 * run on a bounded executor. Started once every route runs; stopped first, so that calls in
 * flight finish before the routes they need go away.
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
    private Server server;

    /** {@code credentials}: TLS (TlsServerCredentials), or InsecureServerCredentials for plaintext. */
    public GrpcIngress(int port, ServerCredentials credentials, int maxInboundBytes, long drainSeconds, ExecutorService executor,
                       List<BindableService> services, Runnable beforeDrain) {
        this.port = port;
        this.credentials = credentials;
        this.maxInboundBytes = maxInboundBytes;
        this.drainSeconds = drainSeconds;
        this.executor = executor;
        this.services = services;
        this.beforeDrain = beforeDrain;
    }

    @Override
    protected void doStart() {
        NettyServerBuilder builder = NettyServerBuilder.forPort(port, credentials)
                .executor(executor)
                .maxInboundMessageSize(maxInboundBytes)
                .addService(ProtoReflectionServiceV1.newInstance());
        services.forEach(service -> builder.addService(ParsedRequests.of(service.bindService())));
        try {
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for gRPC on port " + port, e);
        }
        LOG.info("gRPC listening on port {} ({} services)", server.getPort(), services.size());
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
