package io.eventbus.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.GetQueueRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.QueueInfo;
import io.eventbus.grpc.v1.SubscribeRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-connection call limit on a real Netty server and client (the connection attribute comes
 * from the transport filter): a call over the limit is RESOURCE_EXHAUSTED, other connections are
 * not affected, and the count goes down however a call ends.
 */
class ConnectionLimitsTest {

    private static final int LIMIT = 3;

    private final ConnectionLimits limits = new ConnectionLimits(LIMIT);
    /** Server side of the Subscribe streams held open, to end them from the server. */
    private final List<StreamObserver<Message>> held = new CopyOnWriteArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private Server server;

    @BeforeEach
    void start() throws Exception {
        EventBusGrpc.EventBusImplBase service = new EventBusGrpc.EventBusImplBase() {
            @Override
            public void subscribe(SubscribeRequest request, StreamObserver<Message> observer) {
                held.add(observer); // open until the client cancels or the test completes it
            }

            @Override
            public void getQueue(GetQueueRequest request, StreamObserver<QueueInfo> observer) {
                observer.onNext(QueueInfo.newBuilder().setName(request.getQueue()).build());
                observer.onCompleted();
            }
        };
        server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
                .addTransportFilter(limits).intercept(limits)
                .maxConcurrentCallsPerConnection(limits.hardCap())
                .addService(service)
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        channels.forEach(ManagedChannel::shutdownNow);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private ManagedChannel connection() {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        channels.add(channel);
        return channel;
    }

    /** Opens a Subscribe stream of queue q on the channel; how it ends goes into {@code ended}. */
    private static OpenStream openStream(ManagedChannel channel, List<Status> ended) {
        return OpenStream.open(EventBusGrpc.newStub(channel), SubscribeRequest.newBuilder().setQueue("q").build(), ended);
    }

    private static QueueInfo getQueue(ManagedChannel channel) {
        return EventBusGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .getQueue(GetQueueRequest.newBuilder().setQueue("q").build());
    }

    @Test
    void aCallOverTheLimitOfItsConnectionIsResourceExhausted() {
        ManagedChannel channel = connection();
        List<Status> ended = new CopyOnWriteArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            openStream(channel, ended);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == LIMIT);
        assertThat(limits.openCalls()).isEqualTo(LIMIT);

        assertThatThrownBy(() -> getQueue(channel))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("this connection has 3 calls open; at most 3 are allowed "
                                    + "(eventbus.max-streams-per-connection): end some, or open another connection");
                });
        List<Status> refused = new CopyOnWriteArrayList<>();
        openStream(channel, refused);
        await().atMost(Duration.ofSeconds(5)).until(() -> refused.size() == 1);
        assertThat(refused.get(0).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(limits.refusedCalls()).isEqualTo(2);
        assertThat(limits.openCalls()).as("refused calls do not count").isEqualTo(LIMIT);

        // another connection has its own count
        assertThat(getQueue(connection()).getName()).isEqualTo("q");
        assertThat(ended).isEmpty();
    }

    @Test
    void callsCancelledByTheClientGiveTheirPlaceBack() {
        ManagedChannel channel = connection();
        List<Status> ended = new CopyOnWriteArrayList<>();
        List<OpenStream> streams = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            streams.add(openStream(channel, ended));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> limits.openCalls() == LIMIT);

        streams.forEach(OpenStream::cancel);
        await().atMost(Duration.ofSeconds(5)).until(() -> limits.openCalls() == 0);
        assertThat(getQueue(channel).getName()).isEqualTo("q");
        assertThat(limits.refusedCalls()).isZero();
    }

    @Test
    void callsClosedByTheServerGiveTheirPlaceBackBeforeTheClientHears() {
        ManagedChannel channel = connection();
        List<Status> ended = new CopyOnWriteArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            openStream(channel, ended);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == LIMIT);

        held.forEach(StreamObserver::onCompleted);
        await().atMost(Duration.ofSeconds(5)).until(() -> ended.size() == LIMIT);
        // the client heard the end: the next call is taken at once, no waiting
        assertThat(getQueue(channel).getName()).isEqualTo("q");
        assertThat(limits.openCalls()).isZero();
    }

    @Test
    void callsWhoseDeadlinePassedGiveTheirPlaceBack() {
        ManagedChannel channel = connection();
        List<Status> ended = new CopyOnWriteArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            OpenStream.open(EventBusGrpc.newStub(channel).withDeadlineAfter(200, TimeUnit.MILLISECONDS),
                    SubscribeRequest.newBuilder().setQueue("q").build(), ended);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> ended.size() == LIMIT);
        assertThat(ended).extracting(Status::getCode).containsOnly(Status.Code.DEADLINE_EXCEEDED);
        await().atMost(Duration.ofSeconds(5)).until(() -> limits.openCalls() == 0);
        assertThat(getQueue(channel).getName()).isEqualTo("q");
    }

    @Test
    void manyCallsOneAfterAnotherLeakNothing() {
        ManagedChannel channel = connection();
        for (int round = 0; round < 200; round++) {
            assertThat(getQueue(channel).getName()).isEqualTo("q");
        }
        List<Status> ended = new CopyOnWriteArrayList<>();
        for (int round = 0; round < 50; round++) {
            openStream(channel, ended).cancel();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> limits.openCalls() == 0);
        for (int i = 0; i < LIMIT; i++) {
            openStream(channel, ended);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> limits.openCalls() == LIMIT);
    }

    @Test
    void theHttp2CapIsALittleAboveTheLimit() {
        assertThat(new ConnectionLimits(4).hardCap()).isEqualTo(14);
        assertThat(new ConnectionLimits(100).hardCap()).isEqualTo(125);
        assertThatThrownBy(() -> new ConnectionLimits(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
