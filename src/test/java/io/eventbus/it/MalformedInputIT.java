package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.MqTopicGrpc;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 5 acceptance 7: random and truncated protobuf frames to every RPC of the three services.
 * Every call gets a status, never INTERNAL or UNKNOWN, the bus stays healthy and its heap flat.
 * The node runs on a RabbitMQ virtual host of its own, deleted afterwards, because a random frame
 * that happens to parse may name a queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedInputIT {

    private static final int FRAMES = Integer.getInteger("fuzz.frames", 300);
    private static final String VHOST = "evtest-fuzz";
    private BusNode bus;

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };

    private static void rabbitmqctl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("rabbitmqctl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    @BeforeAll
    void start() throws Exception {
        rabbitmqctl("add_vhost", VHOST);
        rabbitmqctl("set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*");
        bus = BusNode.start("malformed", Map.of("eventbus.amqp-url", "amqp://guest:guest@localhost:5672/" + VHOST,
                "eventbus.ack-deadline-seconds", "5"));
    }

    @AfterAll
    void stop() throws Exception {
        if (bus != null) {
            bus.close();
        }
        rabbitmqctl("delete_vhost", VHOST);
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void everyRpcAnswersEveryMalformedFrameWithAStatus() throws Exception {
        List<ServiceDescriptor> services = List.of(MqGrpc.getServiceDescriptor(), MqTopicGrpc.getServiceDescriptor(),
                EventBusGrpc.getServiceDescriptor());
        Random random = new Random(42);
        Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
        long heapBefore = heapAfterGc();
        int calls = 0;
        for (ServiceDescriptor service : services) {
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                        .setType(method.getType()).setFullMethodName(method.getFullMethodName())
                        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
                for (int i = 0; i < FRAMES; i++) {
                    byte[] frame = frame(random, i);
                    Status.Code code = call(raw, frame);
                    codes.merge(code, 1, Integer::sum);
                    assertThat(code).as("%s with %d bytes", method.getFullMethodName(), frame.length)
                            .isNotIn(Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.UNAVAILABLE);
                    calls++;
                }
            }
        }
        long heapAfter = heapAfterGc();
        System.out.printf("malformed run: %d frames to %d RPCs, statuses %s, heap %d MiB -> %d MiB%n", calls,
                services.stream().mapToInt(s -> s.getMethods().size()).sum(), codes, heapBefore >> 20, heapAfter >> 20);
        assertThat(codes).containsKey(Status.Code.INVALID_ARGUMENT);
        assertThat(heapAfter - heapBefore).as("heap growth").isLessThan(64L << 20);
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + bus.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    /** Alternately random bytes and a valid-looking frame cut short. */
    private static byte[] frame(Random random, int i) {
        if (i % 2 == 0) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            return bytes;
        }
        byte[] whole = io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue("fuzz.q" + random.nextInt(3))
                .setData(com.google.protobuf.ByteString.copyFromUtf8("payload-" + i)).putHeaders("h", "v").build().toByteArray();
        return java.util.Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1));
    }

    private Status.Code call(MethodDescriptor<byte[], byte[]> method, byte[] frame) {
        var options = io.grpc.CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.SECONDS);
        try {
            if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
                Iterator<byte[]> replies = ClientCalls.blockingServerStreamingCall(bus.channel(), method, options, frame);
                while (replies.hasNext()) {
                    replies.next();
                }
            } else {
                ClientCalls.blockingUnaryCall(bus.channel(), method, options, frame);
            }
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }
}
