package io.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AsyncCombinerTest {

    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aLoneItemIsHandledAtOnceInABatchOfOne() {
        List<List<Integer>> batches = new ArrayList<>();
        AsyncCombiner<Integer, Integer> combiner = new AsyncCombiner<>(batch -> {
            batches.add(List.copyOf(batch));
            return batch.size();
        }, 10, executor);
        assertThat(combiner.submit(1).join()).isEqualTo(1);
        assertThat(combiner.submit(2).join()).isEqualTo(1);
        assertThat(batches).containsExactly(List.of(1), List.of(2));
    }

    /** Items submitted while a batch is under way go together into the next, in order, each once. */
    @Test
    void itemsSubmittedMeanwhileGoTogetherIntoTheNextBatchInOrder() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> batches = new ArrayList<>();
        AsyncCombiner<Integer, Integer> combiner = new AsyncCombiner<>(batch -> {
            batches.add(List.copyOf(batch));
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return batch.size();
        }, 3, executor);
        CompletableFuture<Integer> first = combiner.submit(0);
        assertThat(entered.await(10, TimeUnit.SECONDS)).as("the first batch under way").isTrue();
        List<CompletableFuture<Integer>> later = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            later.add(combiner.submit(i));
        }
        assertThat(later).noneMatch(CompletableFuture::isDone);
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(later.stream().map(CompletableFuture::join).toList()).containsExactly(3, 3, 3, 2, 2);
        assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4, 5));
    }

    /** Many submitters at once: every item handled exactly once, every future completed, batches form. */
    @Test
    void concurrentSubmittersAreCombinedAndEachItemIsHandledOnce() throws Exception {
        Map<Integer, Integer> handled = new ConcurrentHashMap<>();
        AtomicInteger batches = new AtomicInteger();
        AsyncCombiner<Integer, Integer> combiner = new AsyncCombiner<>(batch -> {
            batches.incrementAndGet();
            batch.forEach(item -> handled.merge(item, 1, Integer::sum));
            return batch.size();
        }, 8, executor);
        List<CompletableFuture<Integer>> results = java.util.Collections.synchronizedList(new ArrayList<>());
        Callers.run(8, submitter -> {
            for (int i = 0; i < 5000; i++) {
                results.add(combiner.submit(submitter * 5000 + i));
            }
        });
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(results).allSatisfy(r -> assertThat(r.join()).isBetween(1, 8));
        assertThat(handled).hasSize(40_000);
        assertThat(handled.values()).containsOnly(1);
        assertThat(batches.get()).as("batches for 40 000 items").isLessThan(40_000);
    }

    @Test
    void aFailedBatchFailsItsItemsAndTheNextBatchGoesOn() {
        AsyncCombiner<String, String> combiner = new AsyncCombiner<>(batch -> {
            if (batch.contains("bad")) {
                throw new IllegalStateException("nacked");
            }
            return "ok";
        }, 10, executor);
        assertThatThrownBy(() -> combiner.submit("bad").join())
                .isInstanceOf(CompletionException.class).hasRootCauseMessage("nacked");
        assertThat(combiner.submit("good").join()).isEqualTo("ok");
    }

    /** An executor that takes no more work (the node stopping) fails the item: nothing is left waiting. */
    @Test
    void anItemTheExecutorRefusesFails() {
        executor.shutdown();
        AsyncCombiner<String, String> combiner = new AsyncCombiner<>(batch -> "ok", 10, executor);
        assertThatThrownBy(() -> combiner.submit("late").join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(RejectedExecutionException.class);
    }
}
