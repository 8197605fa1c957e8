package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.MqTopicGrpc;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.CancelRequest;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.ExtendDeadlineRequest;
import io.eventbus.grpc.v1.GetMessageRequest;
import io.eventbus.grpc.v1.GetQueueRequest;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import io.eventbus.grpc.v1.PullResponse;
import io.eventbus.security.Tokens;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, acceptance 1: with eventbus.auth.enabled=true, a call without a token (or with an
 * unknown one) is UNAUTHENTICATED on every RPC of both APIs; a token for it.a.* may publish to
 * and pull from it.a.x but not pull from (or settle, look at, or cancel the messages of) a queue
 * b, which is PERMISSION_DENIED with a message naming the permission, never the token.
 */
class AuthIT extends BusTestSupport {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final String ordersToken = Tokens.generate(RANDOM);
    private final String opsToken = Tokens.generate(RANDOM);
    private String queueA;
    private String queueB;

    @Override
    protected Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("eventbus.auth.enabled", "true");
        settings.put("eventbus.auth.tokens", "orders,ops");
        settings.put("eventbus.auth.token.orders.sha256", Tokens.sha256(ordersToken));
        settings.put("eventbus.auth.token.orders.publish", "it.a.*");
        settings.put("eventbus.auth.token.orders.pull", "it.a.*");
        settings.put("eventbus.auth.token.orders.admin", "it.a.*");
        settings.put("eventbus.auth.token.ops.sha256", Tokens.sha256(opsToken));
        settings.put("eventbus.auth.token.ops.publish", "*");
        settings.put("eventbus.auth.token.ops.pull", "*");
        settings.put("eventbus.auth.token.ops.admin", "*");
        return settings;
    }

    private static ClientInterceptor bearer(String token) {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetadataUtils.newAttachHeadersInterceptor(metadata);
    }

    private EventBusGrpc.EventBusBlockingStub v1(String token) {
        return bus.v1().withInterceptors(bearer(token)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private MqGrpc.MqBlockingStub mq(String token) {
        return bus.mq().withInterceptors(bearer(token)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static StatusRuntimeException refusal(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call was not refused");
    }

    private void names(String a, String b) {
        queueA = a;
        queueB = b;
    }

    /** Calls a method with its empty request, without or with some authorization metadata; the status it ends with. */
    private Status.Code callWith(MethodDescriptor<?, ?> method, ClientInterceptor credentials) {
        Message request = (Message) ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller()).getMessagePrototype();
        @SuppressWarnings("unchecked")
        MethodDescriptor<Message, Object> typed = (MethodDescriptor<Message, Object>) method;
        io.grpc.Channel channel = credentials == null ? bus.channel() : io.grpc.ClientInterceptors.intercept(bus.channel(), credentials);
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
        try {
            if (method.getType() == MethodDescriptor.MethodType.UNARY) {
                ClientCalls.blockingUnaryCall(channel, typed, options, request);
            } else {
                ClientCalls.blockingServerStreamingCall(channel, typed, options, request).hasNext();
            }
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getDescription()).as(method.getFullMethodName()).doesNotContain(ordersToken, opsToken);
            return e.getStatus().getCode();
        }
    }

    private static List<MethodDescriptor<?, ?>> everyMethod() {
        return Stream.of(MqGrpc.getServiceDescriptor(), MqTopicGrpc.getServiceDescriptor(), EventBusGrpc.getServiceDescriptor())
                .map(ServiceDescriptor::getMethods).<MethodDescriptor<?, ?>>flatMap(java.util.Collection::stream).toList();
    }

    @Test
    void everyRpcOfBothApisIsUnauthenticatedWithoutAKnownToken() throws Exception {
        Map<String, String> malformed = new LinkedHashMap<>();
        malformed.put("none", null);
        malformed.put("unknown", "Bearer " + Tokens.generate(RANDOM));
        malformed.put("not bearer", "Basic " + ordersToken);
        Map<String, Map<String, Status.Code>> seen = new TreeMap<>();
        for (Map.Entry<String, String> credentials : malformed.entrySet()) {
            ClientInterceptor interceptor = null;
            if (credentials.getValue() != null) {
                Metadata metadata = new Metadata();
                metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), credentials.getValue());
                interceptor = MetadataUtils.newAttachHeadersInterceptor(metadata);
            }
            for (MethodDescriptor<?, ?> method : everyMethod()) {
                seen.computeIfAbsent(method.getFullMethodName(), m -> new TreeMap<>())
                        .put(credentials.getKey(), callWith(method, interceptor));
            }
        }
        assertThat(seen).hasSize(22);
        seen.forEach((method, codes) -> assertThat(codes).as(method)
                .containsOnly(Map.entry("none", Status.Code.UNAUTHENTICATED), Map.entry("unknown", Status.Code.UNAUTHENTICATED),
                        Map.entry("not bearer", Status.Code.UNAUTHENTICATED)));

        // reflection too
        CompletableFuture<Throwable> reflection = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(bus.channel())
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        reflection.complete(null);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reflection.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                        reflection.complete(null);
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        assertThat(Status.fromThrowable(reflection.get(10, TimeUnit.SECONDS)).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

        // and with a known token the same empty requests get past the door (to the validation)
        for (MethodDescriptor<?, ?> method : everyMethod()) {
            assertThat(callWith(method, bearer(opsToken))).as(method.getFullMethodName())
                    .isNotIn(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED);
        }
        System.out.println("auth run: " + seen.size() * malformed.size() + " calls without a known token (22 RPCs x "
                + malformed.keySet() + "), all UNAUTHENTICATED; reflection UNAUTHENTICATED");
    }

    @Test
    void aTokenForAStarCannotPullFromBButCanPublishToAX() {
        names(queue("a"), queue("b"));
        EventBusGrpc.EventBusBlockingStub orders = v1(ordersToken);

        String id = orders.publish(PublishRequest.newBuilder().setQueue(queueA).setData(ByteString.copyFromUtf8("mine")).build()).getId();
        PullResponse pulled = orders.pull(PullRequest.newBuilder().setQueue(queueA).setWaitSeconds(10).build());
        assertThat(pulled.getMessagesList()).extracting(io.eventbus.grpc.v1.Message::getId).containsExactly(id);
        assertThat(orders.ack(AckRequest.newBuilder().addIds(id).build()).getAcked()).isEqualTo(1);
        assertThat(orders.getQueue(GetQueueRequest.newBuilder().setQueue(queueA).build()).getName()).isEqualTo(queueA);

        StatusRuntimeException pull = refusal(() -> orders.pull(PullRequest.newBuilder().setQueue(queueB).build()));
        assertThat(pull.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(pull.getStatus().getDescription()).contains("pull from queue '" + queueB + "'", "pull permission")
                .doesNotContain(ordersToken);
        StatusRuntimeException publish = refusal(() -> orders.publish(PublishRequest.newBuilder().setQueue(queueB)
                .setData(ByteString.copyFromUtf8("theirs")).build()));
        assertThat(publish.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(publish.getStatus().getDescription()).contains("publish to queue '" + queueB + "'");
        assertThat(refusal(() -> mq(ordersToken).subscribe(io.eventbus.grpc.mq.SubscribeRequest.newBuilder().setQueue(queueB).build()))
                .getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(refusal(() -> orders.getQueue(GetQueueRequest.newBuilder().setQueue(queueB).build()))
                .getStatus().getDescription()).contains("administer queue '" + queueB + "'");
        // nothing of it reached b
        assertThat(v1(opsToken).getQueue(GetQueueRequest.newBuilder().setQueue(queueB).build()).getReady()).isZero();
        System.out.println("auth run: token for it.a.* published to and pulled from " + queueA + "; pull from b: "
                + pull.getStatus().getCode() + " (" + pull.getStatus().getDescription() + ")");
    }

    @Test
    void messagesOfAnotherQueueCannotBeSettledOrSeenById() {
        names(queue("a"), queue("b"));
        EventBusGrpc.EventBusBlockingStub ops = v1(opsToken);
        EventBusGrpc.EventBusBlockingStub orders = v1(ordersToken);
        String delivered = ops.publish(PublishRequest.newBuilder().setQueue(queueB).setData(ByteString.copyFromUtf8("b1")).build()).getId();
        assertThat(ops.pull(PullRequest.newBuilder().setQueue(queueB).setWaitSeconds(10).setAckDeadlineSeconds(300).build())
                .getMessagesList()).extracting(io.eventbus.grpc.v1.Message::getId).containsExactly(delivered);
        String delayed = ops.publish(PublishRequest.newBuilder().setQueue(queueB).setData(ByteString.copyFromUtf8("b2"))
                .setDelaySeconds(3600).build()).getId();

        List<Function<String, Runnable>> byId = new ArrayList<>();
        byId.add(id -> () -> orders.ack(AckRequest.newBuilder().addIds(id).build()));
        byId.add(id -> () -> orders.nack(NackRequest.newBuilder().addIds(id).build()));
        byId.add(id -> () -> orders.extendDeadline(ExtendDeadlineRequest.newBuilder().addIds(id).setSeconds(60).build()));
        byId.add(id -> () -> orders.getMessage(GetMessageRequest.newBuilder().setId(id).build()));
        byId.add(id -> () -> mq(ordersToken).ack(QueueId.newBuilder().setId(id).build()));
        byId.add(id -> () -> mq(ordersToken).nack(QueueId.newBuilder().setId(id).build()));
        for (Function<String, Runnable> call : byId) {
            StatusRuntimeException refused = refusal(call.apply(delivered));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(refused.getStatus().getDescription()).contains("queue '" + queueB + "'");
        }
        assertThat(refusal(() -> orders.cancel(CancelRequest.newBuilder().setId(delayed).build())).getStatus().getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        // one foreign id among its own is enough to refuse the whole ack
        assertThat(refusal(() -> orders.ack(AckRequest.newBuilder().addIds("unknown-id").addIds(delivered).build()))
                .getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);

        // still in flight and still delayed: the owner settles both
        // (the ledger is written in batches: its record may come a moment after the delivery)
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(StatusRuntimeException.class).untilAsserted(() ->
                assertThat(ops.getMessage(GetMessageRequest.newBuilder().setId(delivered).build()).getStatus()).isEqualTo("IN_FLIGHT"));
        assertThat(ops.ack(AckRequest.newBuilder().addIds(delivered).build()).getAcked()).isEqualTo(1);
        assertThat(ops.cancel(CancelRequest.newBuilder().setId(delayed).build()).getCancelled()).isTrue();
        // an id nobody knows is the call's own business: listed as unknown, not refused
        assertThat(orders.ack(AckRequest.newBuilder().addIds("unknown-id").build()).getUnknownIdsList()).containsExactly("unknown-id");
    }

    @Test
    void theCommandLineClientsSendTheirToken() {
        names(queue("a"), queue("b"));
        String target = "--target=127.0.0.1:" + bus.rpcPort();
        Cli.Run without = Cli.run("publish", target, "--queue", queueA, "hello");
        assertThat(without.code()).isEqualTo(1);
        assertThat(without.err()).contains("UNAUTHENTICATED");
        Cli.Run denied = Cli.run("publish", target, "--token", ordersToken, "--queue", queueB, "hello");
        assertThat(denied.code()).isEqualTo(1);
        assertThat(denied.err()).contains("PERMISSION_DENIED", "publish to queue '" + queueB + "'").doesNotContain(ordersToken);
        Cli.Run published = Cli.run("publish", target, "--token", ordersToken, "--queue", queueA, "hello");
        assertThat(published.code()).as(published.err()).isZero();
        String id = published.out().trim();
        Cli.Run received = Cli.run("subscribe", target, "--token", ordersToken, "--queue", queueA, "--max", "1", "--wait", "10");
        assertThat(received.code()).as(received.err()).isZero();
        assertThat(received.out()).contains("id=" + id, "data=hello");
    }

    @Test
    void oneTokensIdempotencyKeysCannotSuppressAnothersPublishes() {
        names(queue("a"), queue("b"));
        String key = "order-" + System.nanoTime();
        PublishRequest.Builder message = PublishRequest.newBuilder().setData(ByteString.copyFromUtf8("x")).setIdempotencyKey(key);
        var first = v1(ordersToken).publish(message.setQueue(queueA).build());
        var other = v1(opsToken).publish(message.setQueue(queueB).build());
        assertThat(other.getDuplicate()).isFalse();
        assertThat(other.getId()).isNotEqualTo(first.getId());
        assertThat(v1(opsToken).pull(PullRequest.newBuilder().setQueue(queueB).setWaitSeconds(10).build()).getMessagesList())
                .extracting(io.eventbus.grpc.v1.Message::getId).containsExactly(other.getId());
        // within one queue the key still means one message
        var again = v1(ordersToken).publish(message.setQueue(queueA).build());
        assertThat(again.getDuplicate()).isTrue();
        assertThat(again.getId()).isEqualTo(first.getId());
    }

    @Test
    void idListsAreBoundedBeforeTheyAreLookedUp() {
        AckRequest.Builder many = AckRequest.newBuilder();
        for (int i = 0; i < 50_000; i++) {
            many.addIds("id-" + i);
        }
        long start = System.nanoTime();
        StatusRuntimeException tooMany = refusal(() -> v1(ordersToken).ack(many.build()));
        assertThat(tooMany.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(tooMany.getStatus().getDescription()).contains("50000 ids", "eventbus.max-batch");
        System.out.println("auth run: an Ack of 50000 ids refused in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        assertThat(refusal(() -> v1(ordersToken).nack(NackRequest.newBuilder().addIds("x".repeat(256)).build()))
                .getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void bindNeedsPullOnThePatternAlsoWhereAHashMatchesNoWord() {
        names(queue("a"), queue("b"));
        EventBusGrpc.EventBusBlockingStub orders = v1(ordersToken);
        // it.a.* covers it.a.x.* but not it.a.# , which also receives topic it.a itself
        orders.bind(io.eventbus.grpc.v1.BindRequest.newBuilder().setQueue(queueA).setPattern("it.a.x.*").build());
        StatusRuntimeException hash = refusal(() -> orders.bind(io.eventbus.grpc.v1.BindRequest.newBuilder()
                .setQueue(queueA).setPattern("it.a.#").build()));
        assertThat(hash.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(hash.getStatus().getDescription()).contains("topic pattern 'it.a'");
        assertThat(refusal(() -> orders.bind(io.eventbus.grpc.v1.BindRequest.newBuilder().setQueue(queueB)
                .setPattern("it.a.x.*").build())).getStatus().getDescription()).contains("administer queue '" + queueB + "'");
    }

    @Test
    void refusalsAreCountedInTheMetrics() throws Exception {
        assertThatThrownBy(() -> bus.v1().getQueue(GetQueueRequest.newBuilder().setQueue("x").build()))
                .isInstanceOf(StatusRuntimeException.class);
        assertThatThrownBy(() -> v1(ordersToken).getQueue(GetQueueRequest.newBuilder().setQueue("x").build()))
                .isInstanceOf(StatusRuntimeException.class);
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bus.httpPort()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("eventbus_auth_refused_total\\{code=\"UNAUTHENTICATED\"[^}]*} [1-9]")
                .containsPattern("eventbus_auth_refused_total\\{code=\"PERMISSION_DENIED\"[^}]*} [1-9]");
    }
}
