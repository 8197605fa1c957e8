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
 * A quick throughput check of a running bus over the compatible API: N messages published by C
 * concurrent clients, then consumed (subscribe + ack) by C concurrent clients. Prints msg/s and
 * latency percentiles. Not a test: the benchmark command of the README runs it.
 *
 * <p>Arguments: host:port messages clients payloadBytes [queue]
 */
public final class QuickBench {

    public static void main(String[] args) throws Exception {
        String target = args.length > 0 ? args[0] : "127.0.0.1:9091";
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        String queue = args.length > 4 ? args[4] : "bench.quick." + System.currentTimeMillis();
        String payload = "x".repeat(size);

        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            channels.add(ManagedChannelBuilder.forTarget(target).usePlaintext().build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            Result publish = run("publish", messages, clients, pool, channels, (stub, n) ->
                    stub.publish(PublishRequest.newBuilder().setQueue(queue).setData(payload).build()));
            Result consume = run("subscribe+ack", messages, clients, pool, channels, (stub, n) -> {
                SubscribeResponse message = stub.subscribe(SubscribeRequest.newBuilder().setQueue(queue).build());
                stub.ack(QueueId.newBuilder().setId(message.getId()).build());
            });
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

    interface Call {
        void run(MqGrpc.MqBlockingStub stub, int n);
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
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long[] latencies = new long[messages];
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            ManagedChannel channel = channels.get(c);
            workers.add(pool.submit(() -> {
                int n;
                while ((n = next.getAndIncrement()) < messages) {
                    long t0 = System.nanoTime();
                    call.run(MqGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS), n);
                    latencies[n] = System.nanoTime() - t0;
                    int d = done.incrementAndGet();
                    if (d % (messages / 10) == 0) {
                        System.err.printf("%s: %d/%d%n", phase, d, messages);
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        return new Result(phase, messages, System.nanoTime() - start, latencies);
    }
}
