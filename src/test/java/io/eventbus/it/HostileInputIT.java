package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import com.rabbitmq.client.Channel;
import io.eventbus.grpc.ConnectionLimits;
import io.eventbus.grpc.OpenStream;
import io.eventbus.grpc.mq.DelayPublishRequest;
import io.eventbus.grpc.mq.DelayTopicPublishRequest;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.TopicPublishRequest;
import io.eventbus.grpc.mq.TopicSubscribeRequest;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.BindRequest;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.GetMessageRequest;
import io.eventbus.grpc.v1.GetQueueRequest;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.MessageRecord;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import io.eventbus.grpc.v1.RedriveRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 acceptance 4: names and headers crafted with SQL and AMQP metacharacters are refused or
 * stored verbatim, never executed; 10 000 headers, a 100 MiB frame and too many calls on one
 * connection are RESOURCE_EXHAUSTED, and the node goes on serving. Afterwards every table of the
 * node's database is still there and RabbitMQ has no queue or exchange of a refused name.
 */
class HostileInputIT extends BusTestSupport {

    private static final int MAX_STREAMS = 4;
    private static final int MAX_IN_FLIGHT = 5;

    /** Queue and topic names no call may accept. */
    private static final List<String> HOSTILE_NAMES = List.of(
            "x'; drop table message; --",
            "q\"; DELETE FROM scheduled; #",
            "amq.gen-1",
            "amq.direct",
            "amq.gen-JzTY20BRgKO-HjmUJj0wLg",
            "orders#",
            "orders.*",
            "#",
            "a/b",
            "../eventbus.direct",
            "a b",
            "a\u0000b",
            "orders\r\nx-injected: 1",
            "q".repeat(201),
            "`message`",
            "${header.id}",
            "{{eventbus.db.password}}",
            "%2F",
            "ordérs");

    /** A header name and value, a key and data made of what SQL and AMQP treat specially. */
    private static final Map<String, String> HOSTILE_HEADERS = hostileHeaders();
    private static final String HOSTILE_KEY = "k'; drop table scheduled; -- #*";
    private static final ByteString HOSTILE_DATA = hostileData();

    private final Map<Code, AtomicInteger> refused = new EnumMap<>(Code.class);
    private final List<String> unexpected = new CopyOnWriteArrayList<>();
    private Set<String> tablesAtStart;
    private int verbatim;
    private int tableChecks;
    private String frameOutcome = "not run";

    private static Map<String, String> hostileHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-'; drop table message; --", "'); DELETE FROM scheduled; --");
        headers.put("q\"; DELETE FROM message_event; #", "\" OR 1=1; -- \\ ` ${body} {{eventbus.db.password}} :#id #");
        headers.put("CamelSqlQuery", "DELETE FROM message");
        headers.put("amq.direct", "amq.gen-1 #.* /");
        headers.put("x-eventbus-attempt", "99");
        headers.put("nul\u0000name", "nul\u0000value\r\nx-injected: 1");
        headers.put("ünïcødé 😀", "ünïcødé 😀");
        return headers;
    }

    private static ByteString hostileData() {
        byte[] text = "'); DROP TABLE message; -- \" amq.direct #*".getBytes(StandardCharsets.UTF_8);
        byte[] data = new byte[text.length + 256];
        System.arraycopy(text, 0, data, 0, text.length);
        for (int i = 0; i < 256; i++) {
            data[text.length + i] = (byte) i;
        }
        return ByteString.copyFrom(data);
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of("eventbus.max-streams-per-connection", String.valueOf(MAX_STREAMS),
                "eventbus.max-in-flight", String.valueOf(MAX_IN_FLIGHT));
    }

    @BeforeAll
    void rememberTables() throws Exception {
        tablesAtStart = tables();
        assertThat(tablesAtStart).contains("message", "message_event", "scheduled");
    }

    @AfterAll
    void summary() {
        System.out.printf("HostileInputIT summary: refused %d calls (%s), %d unexpected outcomes; "
                        + "hostile headers, key and data verbatim in %d reads; tables intact in %d checks "
                        + "(%d tables); 100 MiB frame: %s%n",
                refused.values().stream().mapToInt(AtomicInteger::get).sum(), refused, unexpected.size(),
                verbatim, tableChecks, tablesAtStart == null ? 0 : tablesAtStart.size(), frameOutcome);
    }

    /** Runs the call and records its code; one that is not {@code expected} is listed for the assertion. */
    private void expect(Code expected, String what, Runnable call) {
        Code code;
        String description = null;
        try {
            call.run();
            code = Code.OK;
        } catch (StatusRuntimeException e) {
            code = e.getStatus().getCode();
            description = e.getStatus().getDescription();
        }
        if (code != Code.OK) {
            refused.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
        }
        if (code != expected) {
            unexpected.add(what + " -> " + code + (description == null ? "" : " " + description));
        }
    }

    private static String shown(String name) {
        String escaped = name.replace("\u0000", "\\0").replace("\r", "\\r").replace("\n", "\\n");
        return escaped.length() > 40 ? escaped.substring(0, 40) + "…" : escaped;
    }

    private EventBusGrpc.EventBusBlockingStub v1() {
        return bus.v1().withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Test
    void hostileNamesAreInvalidOnEveryCallAndReachNeitherSqlNorRabbitMq() throws Exception {
        String good = queue("hostile-good");
        ByteString data = ByteString.copyFromUtf8("x");
        // declared by a publish of its own: a refused batch that names it too publishes nothing
        v1().publish(PublishRequest.newBuilder().setQueue(good).setData(data).build());
        for (String name : HOSTILE_NAMES) {
            String n = shown(name);
            expect(Code.INVALID_ARGUMENT, "Publish queue " + n,
                    () -> v1().publish(PublishRequest.newBuilder().setQueue(name).setData(data).build()));
            expect(Code.INVALID_ARGUMENT, "Publish topic " + n,
                    () -> v1().publish(PublishRequest.newBuilder().setTopic(name).setData(data).build()));
            expect(Code.INVALID_ARGUMENT, "Publish delayed " + n, () -> v1().publish(PublishRequest.newBuilder()
                    .setQueue(name).setData(data).setDelaySeconds(60).build()));
            expect(Code.INVALID_ARGUMENT, "PublishBatch queue " + n, () -> v1().publishBatch(PublishBatchRequest.newBuilder()
                    .addMessages(PublishRequest.newBuilder().setQueue(good).setData(data))
                    .addMessages(PublishRequest.newBuilder().setQueue(name).setData(data)).build()));
            expect(Code.INVALID_ARGUMENT, "PublishBatch topic " + n, () -> v1().publishBatch(PublishBatchRequest.newBuilder()
                    .addMessages(PublishRequest.newBuilder().setTopic(name).setData(data).setDelaySeconds(5)).build()));
            expect(Code.INVALID_ARGUMENT, "Pull " + n,
                    () -> v1().pull(PullRequest.newBuilder().setQueue(name).setWaitSeconds(1).build()));
            expect(Code.INVALID_ARGUMENT, "Subscribe " + n, () -> v1().withDeadlineAfter(5, TimeUnit.SECONDS)
                    .subscribe(io.eventbus.grpc.v1.SubscribeRequest.newBuilder().setQueue(name).build()).hasNext());
            expect(Code.INVALID_ARGUMENT, "Bind queue " + n,
                    () -> v1().bind(BindRequest.newBuilder().setQueue(name).setPattern("orders.*").build()));
            expect(Code.INVALID_ARGUMENT, "GetQueue " + n, () -> v1().getQueue(GetQueueRequest.newBuilder().setQueue(name).build()));
            expect(Code.INVALID_ARGUMENT, "Redrive " + n, () -> v1().redrive(RedriveRequest.newBuilder().setQueue(name).build()));
            expect(Code.INVALID_ARGUMENT, "mq.publish " + n, () -> mq().publish(
                    io.eventbus.grpc.mq.PublishRequest.newBuilder().setQueue(name).setData("x").build()));
            expect(Code.INVALID_ARGUMENT, "mq.delayPublish " + n, () -> mq().delayPublish(
                    DelayPublishRequest.newBuilder().setQueue(name).setData("x").setDelaySeconds(60).build()));
            expect(Code.INVALID_ARGUMENT, "mq.subscribe " + n, () -> mq().withDeadlineAfter(5, TimeUnit.SECONDS)
                    .subscribe(SubscribeRequest.newBuilder().setQueue(name).build()));
            expect(Code.INVALID_ARGUMENT, "MqTopic.publish " + n, () -> topics().publish(
                    TopicPublishRequest.newBuilder().setTopic(name).setData("x").build()));
            expect(Code.INVALID_ARGUMENT, "MqTopic.delayPublish " + n, () -> topics().delayPublish(
                    DelayTopicPublishRequest.newBuilder().setTopic(name).setData("x").setDelaySeconds(60).build()));
            expect(Code.INVALID_ARGUMENT, "MqTopic.subscribe topic " + n, () -> topics().withDeadlineAfter(5, TimeUnit.SECONDS)
                    .subscribe(TopicSubscribeRequest.newBuilder().setTopic(name).setQueueName(good).build()));
            expect(Code.INVALID_ARGUMENT, "MqTopic.subscribe queueName " + n, () -> topics().withDeadlineAfter(5, TimeUnit.SECONDS)
                    .subscribe(TopicSubscribeRequest.newBuilder().setTopic("orders.hostile").setQueueName(name).build()));
        }
        for (String pattern : List.of("x'; drop table message; --", "orders.*'", "a b", "#; DELETE FROM scheduled", "a\u0000b")) {
            expect(Code.INVALID_ARGUMENT, "Bind pattern " + shown(pattern),
                    () -> v1().bind(BindRequest.newBuilder().setQueue(good).setPattern(pattern).build()));
        }
        // ids go to SQL as bind parameters: an id made of SQL is just an id no message has
        for (String id : List.of("x'; drop table message; --", "1' OR '1'='1", "\"; DELETE FROM scheduled; #")) {
            expect(Code.NOT_FOUND, "GetMessage " + shown(id), () -> v1().getMessage(GetMessageRequest.newBuilder().setId(id).build()));
            expect(Code.NOT_FOUND, "Cancel " + shown(id),
                    () -> v1().cancel(io.eventbus.grpc.v1.CancelRequest.newBuilder().setId(id).build()));
            expect(Code.NOT_FOUND, "mq.ack " + shown(id), () -> mq().ack(io.eventbus.grpc.mq.QueueId.newBuilder().setId(id).build()));
            assertThat(v1().ack(AckRequest.newBuilder().addIds(id).build()).getUnknownIdsList()).containsExactly(id);
        }
        assertThat(unexpected).as("calls that did not get the expected status").isEmpty();

        assertTablesIntact();
        List<String> onBroker = new ArrayList<>();
        try (com.rabbitmq.client.Connection connection = Broker.factory().newConnection()) {
            assertThat(exists(connection, good, false)).as("the check sees a queue that exists").isTrue();
            assertThat(exists(connection, "eventbus.direct", true)).as("the check sees an exchange that exists").isTrue();
            for (String name : HOSTILE_NAMES) {
                for (String queue : List.of(name, name + ".dlq", name + ".0")) {
                    if (exists(connection, queue, false)) {
                        onBroker.add("queue " + shown(queue));
                    }
                }
                // amq.* exchanges are RabbitMQ's own
                if (!name.startsWith("amq.") && exists(connection, name, true)) {
                    onBroker.add("exchange " + shown(name));
                }
            }
        }
        assertThat(onBroker).as("queues and exchanges named by a refused call").isEmpty();
    }

    /** A passive declare: true when the queue or exchange exists. */
    private static boolean exists(com.rabbitmq.client.Connection connection, String name, boolean exchange) throws Exception {
        Channel channel = connection.createChannel();
        try {
            if (exchange) {
                channel.exchangeDeclarePassive(name);
            } else {
                channel.queueDeclarePassive(name);
            }
            return true;
        } catch (IOException | com.rabbitmq.client.ShutdownSignalException | IllegalArgumentException e) {
            return false;
        } finally {
            if (channel.isOpen()) {
                channel.close();
            }
        }
    }

    @Test
    void hostileHeadersKeyAndDataAreStoredAndDeliveredVerbatim() throws Exception {
        String queue = queue("hostile-headers");
        String now = v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(HOSTILE_DATA).setKey(HOSTILE_KEY)
                .putAllHeaders(HOSTILE_HEADERS).build()).getId();
        // a delayed one is stored in SQL until due
        String delayed = v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(HOSTILE_DATA).setKey(HOSTILE_KEY)
                .putAllHeaders(HOSTILE_HEADERS).setDelaySeconds(1).build()).getId();
        String batched = v1().publishBatch(PublishBatchRequest.newBuilder().addMessages(PublishRequest.newBuilder()
                .setQueue(queue).setData(HOSTILE_DATA).setKey(HOSTILE_KEY).putAllHeaders(HOSTILE_HEADERS)).build())
                .getResults(0).getId();

        Map<String, Message> pulled = new LinkedHashMap<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(10).setWaitSeconds(2).build())
                    .getMessagesList().forEach(m -> pulled.put(m.getId(), m));
            return pulled.size() >= 3;
        });
        assertThat(pulled.keySet()).containsExactlyInAnyOrder(now, delayed, batched);
        for (Message message : pulled.values()) {
            assertThat(message.getHeadersMap()).as("headers of " + message.getId()).isEqualTo(HOSTILE_HEADERS);
            assertThat(message.getKey()).isEqualTo(HOSTILE_KEY);
            assertThat(message.getData()).isEqualTo(HOSTILE_DATA);
            verbatim++;
        }

        // the nack reason goes into the ledger's history, through SQL too
        String reason = "'); DROP TABLE message_event; -- \" #";
        v1().nack(NackRequest.newBuilder().addIds(delayed).setDelaySeconds(3600).setReason(reason).build());
        assertThat(v1().ack(AckRequest.newBuilder().addIds(now).addIds(batched).build()).getAcked()).isEqualTo(2);

        for (String id : List.of(now, delayed, batched)) {
            MessageRecord record = await().atMost(Duration.ofSeconds(10)).until(ledgerRecord(id),
                    r -> r != null && (id.equals(delayed)
                            ? r.getHistoryList().stream().anyMatch(e -> e.getDetail().endsWith(": " + reason))
                            : r.getStatus().equals("ACKED")));
            assertThat(record.getMessage().getHeadersMap()).as("ledger headers of " + id).isEqualTo(HOSTILE_HEADERS);
            assertThat(record.getMessage().getKey()).isEqualTo(HOSTILE_KEY);
            assertThat(record.getMessage().getData()).isEqualTo(HOSTILE_DATA);
            verbatim++;
        }
        assertTablesIntact();
    }

    /**
     * Headers within eventbus.max-header-bytes whose JSON is far larger (a control character takes
     * six bytes there): stored in SQL while delayed and while in flight, delivered as they were.
     */
    @Test
    void headersUpToTheLimitInTheirJsonFormSurviveADelayAndADelivery() throws Exception {
        String queue = queue("hostile-big-headers");
        Map<String, String> headers = Map.of("c", "\u0001".repeat(20_000), "q", "\"".repeat(20_000));
        String now = v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(HOSTILE_DATA)
                .putAllHeaders(headers).build()).getId();
        String delayed = v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(HOSTILE_DATA)
                .putAllHeaders(headers).setDelaySeconds(1).build()).getId();

        Map<String, Message> pulled = new LinkedHashMap<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(10).setWaitSeconds(2).build())
                    .getMessagesList().forEach(m -> pulled.put(m.getId(), m));
            return pulled.size() >= 2;
        });
        assertThat(pulled.keySet()).containsExactlyInAnyOrder(now, delayed);
        pulled.values().forEach(m -> assertThat(m.getHeadersMap()).isEqualTo(headers));
        assertThat(v1().ack(AckRequest.newBuilder().addIds(now).addIds(delayed).build()).getAcked()).isEqualTo(2);
        MessageRecord record = await().atMost(Duration.ofSeconds(10)).until(ledgerRecord(delayed),
                r -> r != null && r.getStatus().equals("ACKED"));
        assertThat(record.getMessage().getHeadersMap()).isEqualTo(headers);
    }

    private java.util.concurrent.Callable<MessageRecord> ledgerRecord(String id) {
        return () -> {
            try {
                return v1().getMessage(GetMessageRequest.newBuilder().setId(id).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Code.NOT_FOUND) {
                    return null; // the ledger is written in batches
                }
                throw e;
            }
        };
    }

    @Test
    void aHeaderNameLongerThanAmqpCarriesIsInvalid() throws Exception {
        String queue = queue("hostile-header-name");
        // an AMQP header name holds 255 bytes, the bus's prefix x-eventbus-header- included
        for (PublishRequest.Builder message : List.of(
                PublishRequest.newBuilder().putHeaders("h".repeat(238), "v"),
                PublishRequest.newBuilder().putHeaders("h".repeat(238), "v").setDelaySeconds(1),
                PublishRequest.newBuilder().putHeaders("é".repeat(101), "v"))) {
            expect(Code.INVALID_ARGUMENT, "Publish with a header name of " + message.getHeadersMap().keySet().iterator().next()
                    .length() + " characters", () -> v1().publish(message.setQueue(queue).setData(ByteString.copyFromUtf8("x")).build()));
        }
        assertThat(v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8("x"))
                .putHeaders("h".repeat(200), "v").build()).getId()).isNotEmpty();
        assertThat(unexpected).isEmpty();
    }

    @Test
    void tenThousandHeadersAreResourceExhaustedAndPublishNothing() throws Exception {
        String queue = queue("hostile-many-headers");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            headers.put("h" + i, "v");
        }
        PublishRequest.Builder message = PublishRequest.newBuilder().setQueue(queue)
                .setData(ByteString.copyFromUtf8("x")).putAllHeaders(headers);
        expect(Code.RESOURCE_EXHAUSTED, "Publish with 10 000 headers", () -> v1().publish(message.build()));
        expect(Code.RESOURCE_EXHAUSTED, "delayed Publish with 10 000 headers",
                () -> v1().publish(message.clone().setDelaySeconds(5).build()));
        expect(Code.RESOURCE_EXHAUSTED, "PublishBatch with 10 000 headers", () -> v1().publishBatch(PublishBatchRequest
                .newBuilder().addMessages(PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8("y")))
                .addMessages(message).build()));
        Map<String, String> wide = Map.of("h", "v".repeat(70_000));
        expect(Code.RESOURCE_EXHAUSTED, "Publish with a 70 000-byte header", () -> v1().publish(PublishRequest.newBuilder()
                .setQueue(queue).setData(ByteString.copyFromUtf8("x")).putAllHeaders(wide).build()));
        assertThat(unexpected).isEmpty();

        assertThat(v1().pull(PullRequest.newBuilder().setQueue(queue).setMaxMessages(10).setWaitSeconds(1).build())
                .getMessagesList()).as("nothing was published").isEmpty();
        var info = v1().getQueue(GetQueueRequest.newBuilder().setQueue(queue).build());
        assertThat(info.getReady() + info.getDelayed() + info.getInFlight()).isZero();
        assertTablesIntact();
    }

    @Test
    void aHundredMebibyteFrameIsRefusedBeforeItIsReadAndTheNodeGoesOn() {
        String queue = queue("hostile-frame");
        long heapBefore = heapAfterGc();
        // wrapped, not copied: the test holds the 100 MiB once
        ByteString hundredMib = UnsafeByteOperations.unsafeWrap(new byte[100 * 1024 * 1024]);
        long started = System.nanoTime();
        StatusRuntimeException refusal = null;
        try {
            v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(hundredMib).build());
        } catch (StatusRuntimeException e) {
            refusal = e;
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        hundredMib = null;
        assertThat(refusal).as("the 100 MiB publish was accepted").isNotNull();
        refused.computeIfAbsent(refusal.getStatus().getCode(), c -> new AtomicInteger()).incrementAndGet();
        assertThat(refusal.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
        // the transport's refusal, from the frame's length prefix: the bus never saw the request
        assertThat(refusal.getStatus().getDescription()).contains("exceeds maximum size 33554432");

        // within the transport's limit but over eventbus.max-message-bytes: the bus's own refusal
        expect(Code.RESOURCE_EXHAUSTED, "Publish of 5 MiB", () -> v1().publish(PublishRequest.newBuilder().setQueue(queue)
                .setData(UnsafeByteOperations.unsafeWrap(new byte[5 * 1024 * 1024])).build()));

        assertThat(v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8("next"))
                .build()).getId()).isNotEmpty();
        assertThat(v1().pull(PullRequest.newBuilder().setQueue(queue).setWaitSeconds(10).build()).getMessages(0)
                .getData().toStringUtf8()).isEqualTo("next");
        long heapAfter = heapAfterGc();
        frameOutcome = String.format("%s in %d ms (%s), then a publish and a pull OK, heap after GC %d MiB before and %d MiB after",
                refusal.getStatus().getCode(), tookMillis, refusal.getStatus().getDescription(), heapBefore >> 20, heapAfter >> 20);
        assertThat(heapAfter - heapBefore).as("heap kept after the refused frame").isLessThan(50L << 20);
        assertThat(unexpected).isEmpty();
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void moreCallsOnOneConnectionThanTheLimitAreResourceExhaustedAndTheCountDoesNotLeak() throws Exception {
        String queue = queue("hostile-streams");
        ConnectionLimits limits = bus.context().getRegistry().lookupByNameAndType("connectionLimits", ConnectionLimits.class);
        int refusedBefore = limits.refusedCalls();
        ManagedChannel connection = ManagedChannelBuilder.forAddress("127.0.0.1", bus.rpcPort()).usePlaintext().build();
        try {
            for (int round = 0; round < 2; round++) {
                int openBefore = limits.openCalls();
                List<OpenStream> streams = new ArrayList<>();
                for (int i = 0; i < MAX_STREAMS; i++) {
                    streams.add(subscribe(connection, queue));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> limits.openCalls() == openBefore + MAX_STREAMS);

                EventBusGrpc.EventBusBlockingStub sameConnection = EventBusGrpc.newBlockingStub(connection)
                        .withDeadlineAfter(10, TimeUnit.SECONDS);
                try {
                    sameConnection.getQueue(GetQueueRequest.newBuilder().setQueue(queue).build());
                    unexpected.add("GetQueue beyond the limit -> OK");
                } catch (StatusRuntimeException e) {
                    refused.computeIfAbsent(e.getStatus().getCode(), c -> new AtomicInteger()).incrementAndGet();
                    assertThat(e.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("this connection has " + MAX_STREAMS
                            + " calls open; at most " + MAX_STREAMS + " are allowed (eventbus.max-streams-per-connection):"
                            + " end some, or open another connection");
                }
                expect(Code.RESOURCE_EXHAUSTED, "Subscribe beyond the limit", () -> sameConnection
                        .subscribe(io.eventbus.grpc.v1.SubscribeRequest.newBuilder().setQueue(queue).build()).hasNext());
                expect(Code.RESOURCE_EXHAUSTED, "mq.publish beyond the limit", () -> io.eventbus.grpc.mq.MqGrpc
                        .newBlockingStub(connection).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .publish(io.eventbus.grpc.mq.PublishRequest.newBuilder().setQueue(queue).setData("x").build()));
                // another connection is not affected
                expect(Code.OK, "GetQueue on another connection", () -> v1().getQueue(GetQueueRequest.newBuilder()
                        .setQueue(queue).build()));

                streams.forEach(OpenStream::cancel);
                await().atMost(Duration.ofSeconds(10)).until(() -> limits.openCalls() == openBefore);
                expect(Code.OK, "GetQueue after the streams ended", () -> sameConnection.getQueue(
                        GetQueueRequest.newBuilder().setQueue(queue).build()));
            }
        } finally {
            connection.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(unexpected).isEmpty();
        assertThat(limits.refusedCalls() - refusedBefore).isEqualTo(6);
    }

    private static OpenStream subscribe(ManagedChannel channel, String queue) {
        return OpenStream.open(EventBusGrpc.newStub(channel), io.eventbus.grpc.v1.SubscribeRequest.newBuilder().setQueue(queue).build());
    }

    @Test
    void aStreamWithoutMaxInFlightHoldsNoMoreThanTheConfiguredLimit() {
        String queue = queue("hostile-in-flight");
        for (int i = 0; i < MAX_IN_FLIGHT + 3; i++) {
            v1().publish(PublishRequest.newBuilder().setQueue(queue).setData(ByteString.copyFromUtf8("m" + i)).build());
        }
        expect(Code.RESOURCE_EXHAUSTED, "Subscribe with max_in_flight over the limit", () -> v1()
                .subscribe(io.eventbus.grpc.v1.SubscribeRequest.newBuilder().setQueue(queue).setMaxInFlight(MAX_IN_FLIGHT + 1)
                        .build()).hasNext());

        OpenStream stream = OpenStream.open(bus.v1Async(), io.eventbus.grpc.v1.SubscribeRequest.newBuilder().setQueue(queue).build());
        List<Message> received = stream.received();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= MAX_IN_FLIGHT);
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> received.size() == MAX_IN_FLIGHT);
            // one ack frees one place
            v1().ack(AckRequest.newBuilder().addIds(received.get(0).getId()).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == MAX_IN_FLIGHT + 1);
        } finally {
            stream.cancel();
        }
        // the compatible API's subscribe takes one message at a time, as before
        String compatible = queue("hostile-compatible");
        mq().publish(io.eventbus.grpc.mq.PublishRequest.newBuilder().setQueue(compatible).setData("one").build());
        assertThat(subscribe(compatible, Duration.ofSeconds(10)).orElseThrow().getData()).isEqualTo("one");
        assertThat(unexpected).isEmpty();
    }

    private Set<String> tables() throws Exception {
        Set<String> tables = new TreeSet<>();
        try (Connection connection = DriverManager.getConnection(BusNode.DB_URL, "root", "");
             PreparedStatement select = connection.prepareStatement(
                     "SELECT table_name FROM information_schema.tables WHERE table_schema = ?")) {
            select.setString(1, bus.database());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
        }
        return tables;
    }

    private void assertTablesIntact() throws Exception {
        assertThat(tables()).as("tables of " + bus.database()).isEqualTo(tablesAtStart);
        tableChecks++;
    }
}
