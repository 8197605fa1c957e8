package io.eventbus.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
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
        Callers.run(callers, caller -> {
            for (int i = 0; i < each; i++) {
                int size = combiner.submit(caller * each + i);
                assertThat(size).isBetween(1, 8);
            }
        });
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

    /** Lists combined by their sizes: no batch above the limit unless one list alone is, each list once. */
    @Test
    void weighedItemsMakeBatchesUpToTheirTotalWeightAndAHeavyOneGoesAlone() throws Exception {
        int callers = 8;
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        List<Integer> weights = Collections.synchronizedList(new ArrayList<>());
        Combiner<List<String>, Integer> combiner = new Combiner<>(batch -> {
            int total = batch.stream().mapToInt(List::size).sum();
            weights.add(batch.size() > 1 ? total : -total); // a batch of one list: negative
            batch.forEach(list -> list.forEach(id -> handled.merge(id, 1, Integer::sum)));
            Thread.yield();
            return total;
        }, 10, List::size);
        Callers.run(callers, caller -> {
            for (int i = 0; i < 2000; i++) {
                int size = i % 13; // 0 to 12 ids: some lists alone above the limit of 10
                List<String> ids = new ArrayList<>();
                for (int k = 0; k < size; k++) {
                    ids.add(caller + "-" + i + "-" + k);
                }
                combiner.submit(ids);
            }
        });
        int expected = callers * (2000 / 13 * (12 * 13 / 2) + IntStream.range(0, 2000 % 13).sum());
        assertThat(handled).hasSize(expected);
        assertThat(handled.values()).containsOnly(1);
        assertThat(weights).allSatisfy(w -> assertThat(w).isLessThanOrEqualTo(10));
        assertThat(weights).as("combined batches").anySatisfy(w -> assertThat(w).isPositive());
        assertThat(weights).as("lists of 11 and 12 ids alone").anySatisfy(w -> assertThat(w).isLessThan(-10));
    }
}
