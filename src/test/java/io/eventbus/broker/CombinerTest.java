package io.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class CombinerTest {

    @Test
    void aLoneCallerIsHandledAtOnceInABatchOfOne() {
        List<List<Integer>> batches = new ArrayList<>();
        Combiner<Integer, Integer> combiner = new Combiner<>(batch -> {
            batches.add(List.copyOf(batch));
            return batch.size();
        }, 10);
        assertThat(combiner.submit(1)).isEqualTo(1);
        assertThat(combiner.submit(2)).isEqualTo(1);
        assertThat(batches).containsExactly(List.of(1), List.of(2));
    }

    /** Many callers at once: every item handled exactly once, none waits forever, and batches form. */
    @Test
    void concurrentCallersAreCombinedAndEachItemIsHandledOnce() throws Exception {
        int callers = 16;
        int each = 5000;
        Map<Integer, Integer> handled = new ConcurrentHashMap<>();
        AtomicInteger batches = new AtomicInteger();
        Combiner<Integer, Integer> combiner = new Combiner<>(batch -> {
            batches.incrementAndGet();
            batch.forEach(item -> handled.merge(item, 1, Integer::sum));
            Thread.yield(); // let other callers in meanwhile
            return batch.size();
        }, 8);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        int size = combiner.submit(caller * each + i);
                        assertThat(size).isBetween(1, 8);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(handled).hasSize(callers * each);
        assertThat(handled.values()).containsOnly(1);
        assertThat(batches.get()).as("batches for %d items", callers * each).isLessThan(callers * each);
    }

    @Test
    void aFailedBatchFailsItsCallersAndTheNextBatchGoesOn() {
        Combiner<String, String> combiner = new Combiner<>(batch -> {
            if (batch.contains("bad")) {
                throw new IllegalStateException("nacked");
            }
            return "ok";
        }, 10);
        assertThatThrownBy(() -> combiner.submit("bad")).isInstanceOf(IllegalStateException.class).hasMessage("nacked");
        assertThat(combiner.submit("good")).isEqualTo("ok");
    }
}
