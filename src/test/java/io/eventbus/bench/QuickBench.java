package io.eventbus.bench;

import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.PublishRequest;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.SubscribeRequest;
import io.eventbus.grpc.mq.SubscribeResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A quick throughput check of a running bus: N messages published by C concurrent clients, then
 * consumed by C concurrent clients. Over the compatible API (mode {@code mq}): publish, then
 * subscribe + ack, a message per call; over the full API (mode {@code v1}): PublishBatch of 100,
 * then Pull of up to 100 + one Ack of their ids. Prints msg/s and latency percentiles (per call).
 * Not a test: the benchmark command of the README runs it.
 *
 * <p>Arguments: host:port messages clients payloadBytes [queue] [mq|v1]
 */
public final class QuickBench {

    public static void main(String[] args) throws Exception {
        String target = args.length > 0 ? args[0] : "127.0.0.1:9091";
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        String queue = args.length > 4 ? args[4] : "bench.quick." + System.currentTimeMillis();
        String payload = "x".repeat(size);
        boolean v1 = args.length > 5 && args[5].equals("v1");

        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            channels.add(ManagedChannelBuilder.forTarget(target).usePlaintext().build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            Result publish;
            Result consume;
            if (v1) {
                com.google.protobuf.ByteString bytes = com.google.protobuf.ByteString.copyFromUtf8(payload);
                AtomicInteger batches = new AtomicInteger();
                publish = run("PublishBatch(100)", messages, clients, pool, channels, channel -> {
                    int from = batches.getAndIncrement() * 100;
                    if (from >= messages) {
                        return Call.NO_MORE;
                    }
                    io.eventbus.grpc.v1.PublishBatchRequest.Builder batch = io.eventbus.grpc.v1.PublishBatchRequest.newBuilder();
                    for (int i = from; i < Math.min(messages, from + 100); i++) {
                        batch.addMessages(io.eventbus.grpc.v1.PublishRequest.newBuilder().setQueue(queue).setData(bytes));
                    }
                    return v1(channel).publishBatch(batch.build()).getResultsCount();
                });
                consume = run("Pull(100)+Ack", messages, clients, pool, channels, channel -> {
                    List<io.eventbus.grpc.v1.Message> got = v1(channel).pull(io.eventbus.grpc.v1.PullRequest.newBuilder()
                            .setQueue(queue).setMaxMessages(100).setWaitSeconds(1).build()).getMessagesList();
                    if (!got.isEmpty()) {
                        v1(channel).ack(io.eventbus.grpc.v1.AckRequest.newBuilder()
                                .addAllIds(got.stream().map(io.eventbus.grpc.v1.Message::getId).toList()).build());
                    }
                    return got.size();
                });
            } else {
                publish = run("publish", messages, clients, pool, channels, channel -> {
                    mq(channel).publish(PublishRequest.newBuilder().setQueue(queue).setData(payload).build());
                    return 1;
                });
                consume = run("subscribe+ack", messages, clients, pool, channels, channel -> {
                    SubscribeResponse message = mq(channel).subscribe(SubscribeRequest.newBuilder().setQueue(queue).build());
                    mq(channel).ack(QueueId.newBuilder().setId(message.getId()).build());
                    return 1;
                });
            }
            System.out.printf("%n| queue %s | %d messages of %d bytes | %d clients |%n", queue, messages, size, clients);
            System.out.println("| phase | msg/s | p50 ms | p95 ms | p99 ms | seconds |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
            System.out.println(publish);
            System.out.println(consume);
        } finally {
            pool.shutdownNow();
            for (ManagedChannel channel : channels) {
                channel.shutdownNow();
            }
            deleteQueue(queue);
        }
    }

    /** The bench's queue is its own: removed afterwards with its partitions (empty when the run completed). */
    private static void deleteQueue(String queue) {
        com.rabbitmq.client.ConnectionFactory factory = new com.rabbitmq.client.ConnectionFactory();
        try {
            factory.setUri(System.getProperty("bench.amqp-url", "amqp://guest:guest@127.0.0.1:5672/%2F"));
            try (com.rabbitmq.client.Connection connection = factory.newConnection()) {
                List<String> names = new ArrayList<>(List.of(queue, queue + ".dlq"));
                for (int i = 0; i < 64; i++) {
                    names.add(queue + "." + i);
                }
                for (String name : names) {
                    com.rabbitmq.client.Channel channel = connection.createChannel();
                    try {
                        channel.queueDelete(name);
                    } catch (java.io.IOException absent) {
                        // no such queue: its channel closed, nothing to delete
                    } finally {
                        if (channel.isOpen()) {
                            channel.close();
                        }
                    }
                }
            }
        } catch (Exception e) {
            System.err.println("could not delete queue " + queue + ": " + e);
        }
    }

    private static MqGrpc.MqBlockingStub mq(ManagedChannel channel) {
        return MqGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static io.eventbus.grpc.v1.EventBusGrpc.EventBusBlockingStub v1(ManagedChannel channel) {
        return io.eventbus.grpc.v1.EventBusGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** One call; returns how many messages it published or consumed, or NO_MORE when there is no work left. */
    interface Call {
        int NO_MORE = -1;

        int run(ManagedChannel channel);
    }

    record Result(String phase, int messages, long nanos, long[] latencies) {
        @Override
        public String toString() {
            Arrays.sort(latencies);
            return String.format("| %s | %.0f | %.2f | %.2f | %.2f | %.1f |", phase, messages / (nanos / 1e9),
                    pct(0.50), pct(0.95), pct(0.99), nanos / 1e9);
        }

        private double pct(double p) {
            return latencies[(int) Math.min(latencies.length - 1, Math.floor(p * latencies.length))] / 1e6;
        }
    }

    private static Result run(String phase, int messages, int clients, ExecutorService pool,
                              List<ManagedChannel> channels, Call call) throws Exception {
        AtomicInteger done = new AtomicInteger();
        AtomicInteger reported = new AtomicInteger();
        java.util.concurrent.ConcurrentLinkedQueue<Long> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            ManagedChannel channel = channels.get(c);
            workers.add(pool.submit(() -> {
                while (done.get() < messages) {
                    long t0 = System.nanoTime();
                    int n = call.run(channel);
                    if (n == Call.NO_MORE) {
                        return null;
                    }
                    latencies.add(System.nanoTime() - t0);
                    int d = done.addAndGet(n);
                    int tenth = d / Math.max(1, messages / 10);
                    if (tenth > reported.get() && reported.getAndSet(tenth) < tenth) {
                        System.err.printf("%s: %d/%d%n", phase, Math.min(d, messages), messages);
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        long elapsed = System.nanoTime() - start;
        return new Result(phase, messages, elapsed, latencies.stream().mapToLong(Long::longValue).toArray());
    }
}
