package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import io.eventbus.security.TestCa;
import io.eventbus.security.TlsFiles;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 8, TLS: a CA made at test time signs the node's certificate (localhost, 127.0.0.1) and a
 * client's; with eventbus.tls.enabled a client trusting the CA publishes and receives over both
 * APIs, a plaintext client or one that does not trust the CA is refused, with client-auth=require
 * only a client showing a certificate of the CA gets in, and the HTTP port answers HTTPS only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {

    private static final Path DIR = Path.of("target", "tls-it");

    private TestCa ca;
    private Path caFile;
    private Path serverCert;
    private Path serverKey;
    private Path clientCert;
    private Path clientKey;
    private Path strangerCaFile;
    private Path strangerCert;
    private Path strangerKey;
    private BusNode bus;
    private final List<String> queues = new ArrayList<>();
    private final List<String> checked = new ArrayList<>();

    @BeforeAll
    void startTlsNode() throws Exception {
        ca = TestCa.create("event-bus test CA");
        caFile = TestCa.writeCertificates(DIR.resolve("ca.crt"), ca.certificate());
        TestCa.Issued server = ca.server("EC");
        serverCert = TestCa.writeCertificates(DIR.resolve("server.crt"), server.certificate(), ca.certificate());
        serverKey = TestCa.writeTraditional(DIR.resolve("server.key"), server.keys()); // SEC1, as openssl ecparam writes it
        TestCa.Issued client = ca.client("tls-it-client");
        clientCert = TestCa.writeCertificates(DIR.resolve("client.crt"), client.certificate());
        clientKey = TestCa.writePkcs8(DIR.resolve("client.key"), client.keys().getPrivate());
        TestCa stranger = TestCa.create("another CA");
        strangerCaFile = TestCa.writeCertificates(DIR.resolve("stranger-ca.crt"), stranger.certificate());
        TestCa.Issued strangerClient = stranger.client("stranger");
        strangerCert = TestCa.writeCertificates(DIR.resolve("stranger.crt"), strangerClient.certificate());
        strangerKey = TestCa.writePkcs8(DIR.resolve("stranger.key"), strangerClient.keys().getPrivate());

        bus = BusNode.start("TlsIT", Map.of(
                "eventbus.tls.enabled", "true",
                "eventbus.tls.cert-file", serverCert.toString(),
                "eventbus.tls.key-file", serverKey.toString()));
    }

    @AfterAll
    void stop() throws Exception {
        if (bus != null) {
            bus.close();
        }
        Broker.deleteQueues(queues);
        System.out.println("TlsIT checked: " + String.join("; ", checked));
    }

    private String queue(String prefix) {
        String name = Broker.uniqueName(prefix);
        queues.add(name);
        return name;
    }

    /** A TLS channel trusting {@code trusted} (null: the system's CAs), with a client certificate when given. */
    private static ManagedChannel tls(int port, Path trusted, Path cert, Path key) {
        TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
        if (trusted != null) {
            credentials.trustManager(TlsFiles.trustManagers("ca", trusted).getTrustManagers());
        }
        if (cert != null) {
            credentials.keyManager(TlsFiles.keyManagers("cert", cert, "key", key).getKeyManagers());
        }
        return channel(port, credentials.build());
    }

    private static ManagedChannel channel(int port, ChannelCredentials credentials) {
        return Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
    }

    /** The status of a v1 Publish on this channel (the channel is closed after). */
    private static Status.Code publishOn(ManagedChannel channel, String queue) throws InterruptedException {
        try {
            EventBusGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).publish(message(queue, "over tls"));
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static PublishRequest message(String queue, String data) {
        return PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8(data)).build();
    }

    private <T> T withTls(Function<ManagedChannel, T> call) throws InterruptedException {
        ManagedChannel channel = tls(bus.rpcPort(), caFile, null, null);
        try {
            return call.apply(channel);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Messages of the queue a Pull over TLS finds within a second. */
    private List<Message> pullOverTls(String queue) throws InterruptedException {
        return withTls(channel -> EventBusGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(10).setWaitSeconds(1).build())
                .getMessagesList());
    }

    @Test
    void aClientTrustingTheCaPublishesAndReceivesOverBothApis() throws Exception {
        String mqQueue = queue("tls.mq");
        String v1Queue = queue("tls.v1");
        withTls(channel -> {
            MqGrpc.MqBlockingStub mq = MqGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
            mq.publish(io.eventbus.grpc.mq.PublishRequest.newBuilder().setQueue(mqQueue).setData("hello mq").build());
            SubscribeResponse got = mq.subscribe(SubscribeRequest.newBuilder().setQueue(mqQueue).build());
            assertThat(got.getData()).isEqualTo("hello mq");
            mq.ack(QueueId.newBuilder().setId(got.getId()).build());

            EventBusGrpc.EventBusBlockingStub v1 = EventBusGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
            String id = v1.publish(message(v1Queue, "hello v1")).getId();
            List<Message> pulled = v1.pull(PullRequest.newBuilder().setQueue(v1Queue).setWaitSeconds(10).build())
                    .getMessagesList();
            assertThat(pulled).extracting(Message::getId).containsExactly(id);
            assertThat(pulled.get(0).getData().toStringUtf8()).isEqualTo("hello v1");
            assertThat(v1.ack(AckRequest.newBuilder().addIds(id).build()).getAcked()).isEqualTo(1);
            return null;
        });
        checked.add("CA-trusting client: mq.Mq publish+subscribe+ack and v1 Publish+Pull+Ack OK");
    }

    @Test
    void aPlaintextClientIsRefusedAndNothingIsPublished() throws Exception {
        String queue = queue("tls.plain");
        ManagedChannel plain = channel(bus.rpcPort(), InsecureChannelCredentials.create());
        Status.Code mq;
        try {
            mq = codeOf(() -> MqGrpc.newBlockingStub(plain).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .publish(io.eventbus.grpc.mq.PublishRequest.newBuilder().setQueue(queue).setData("plain").build()));
        } finally {
            plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        Status.Code v1 = publishOn(channel(bus.rpcPort(), InsecureChannelCredentials.create()), queue);

        assertThat(mq).as("mq.Mq/publish in plaintext").isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(v1).as("v1 Publish in plaintext").isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(pullOverTls(queue)).as("messages of the plaintext publishes").isEmpty();
        checked.add("plaintext client: UNAVAILABLE on both APIs, nothing published");
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefused() throws Exception {
        String queue = queue("tls.untrusted");
        assertThat(publishOn(tls(bus.rpcPort(), null, null, null), queue)).as("trusting the system's CAs")
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(publishOn(tls(bus.rpcPort(), strangerCaFile, null, null), queue)).as("trusting another CA")
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(pullOverTls(queue)).isEmpty();
        checked.add("client not trusting the CA (system CAs, another CA): UNAVAILABLE");
    }

    @Test
    void withClientAuthRequiredOnlyAClientCertificateOfTheCaGetsIn() throws Exception {
        String queue = queue("tls.mutual");
        try (BusNode mutual = BusNode.start("TlsITMutual", Map.of(
                "eventbus.tls.enabled", "true",
                "eventbus.tls.cert-file", serverCert.toString(),
                "eventbus.tls.key-file", serverKey.toString(),
                "eventbus.tls.client-ca-file", caFile.toString(),
                "eventbus.tls.client-auth", "require"))) {
            int port = mutual.rpcPort();
            assertThat(publishOn(tls(port, caFile, null, null), queue)).as("without a client certificate")
                    .isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(publishOn(tls(port, caFile, strangerCert, strangerKey), queue))
                    .as("with a certificate of another CA").isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(publishOn(tls(port, caFile, clientCert, clientKey), queue)).as("with the client certificate")
                    .isEqualTo(Status.Code.OK);

            // the command-line client, with its TLS options
            String target = "--target=127.0.0.1:" + port;
            Cli.Run refused = cli("publish", target, "--ca-file", caFile.toString(), "--queue", queue, "no certificate");
            Cli.Run published = cli("publish", target, "--ca-file", caFile.toString(), "--cert-file", clientCert.toString(),
                    "--key-file", clientKey.toString(), "--queue", queue, "from the cli");
            assertThat(refused.code()).as("cli without a certificate: " + refused.err()).isEqualTo(1);
            assertThat(refused.err()).startsWith("publish: UNAVAILABLE");
            assertThat(published.code()).as("cli with --cert-file/--key-file: " + published.err()).isZero();
            assertThat(published.out().strip()).matches("\\S+");
        }
        checked.add("client-auth=require: no client certificate or another CA's UNAVAILABLE, the CA's client "
                + "certificate OK (also the publish command's --ca-file/--cert-file/--key-file)");
    }

    @Test
    void theHttpPortAnswersHttpsOnly() throws Exception {
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, TlsFiles.trustManagers("ca", caFile).getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> pong = https.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + bus.httpPort() + "/ping")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pong.statusCode()).isEqualTo(200);
        assertThat(pong.body()).isEqualTo("pong");

        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + bus.httpPort() + "/ping")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString()))
                .as("plain HTTP to the HTTPS port").isInstanceOf(IOException.class);

        // a client that does not trust the CA is refused too; the stats command trusts it with --ca-file
        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + bus.httpPort() + "/ping")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString()))
                .as("HTTPS without trusting the CA").isInstanceOf(IOException.class);
        Cli.Run stats = cli("stats", "--http=127.0.0.1:" + bus.httpPort(), "--ca-file", caFile.toString(), "--json");
        assertThat(stats.code()).as("stats --ca-file: " + stats.err()).isZero();
        assertThat(stats.out()).contains("\"node\"");
        checked.add("HTTPS GET /ping with the CA trusted: pong (stats --ca-file too); plain HTTP and untrusting HTTPS fail");
    }

    private static Status.Code codeOf(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private static Cli.Run cli(String... args) {
        return Cli.run(args);
    }
}
