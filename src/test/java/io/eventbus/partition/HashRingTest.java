package io.eventbus.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Issue 4 acceptance 1: balance, movement on growth, the same mapping in another JVM. */
class HashRingTest {

    private static final List<String> KEYS = IntStream.range(0, 10_000).mapToObj(i -> "user-" + i).toList();

    @Test
    void tenThousandKeysSpreadOverSixteenPartitionsWithinFifteenPercentOfTheMean() {
        HashRing ring = new HashRing(16);
        int[] counts = new int[16];
        KEYS.forEach(key -> counts[ring.partitionOf(key)]++);
        double mean = KEYS.size() / 16.0;
        for (int partition = 0; partition < 16; partition++) {
            assertThat(Math.abs(counts[partition] - mean) / mean).as("partition %d has %d keys", partition, counts[partition])
                    .isLessThanOrEqualTo(0.15);
        }
    }

    @Test
    void growingFromSixteenToSeventeenMovesAboutOneSeventeenthOfTheKeys() {
        HashRing sixteen = new HashRing(16);
        HashRing seventeen = new HashRing(17);
        long moved = KEYS.stream().filter(key -> sixteen.partitionOf(key) != seventeen.partitionOf(key)).count();
        assertThat(moved / (double) KEYS.size()).isLessThanOrEqualTo(1 / 17.0 + 0.02);
        // and every key that moved, moved to the new partition
        assertThat(KEYS.stream().filter(key -> sixteen.partitionOf(key) != seventeen.partitionOf(key))
                .allMatch(key -> seventeen.partitionOf(key) == 16)).isTrue();
    }

    @Test
    void aKeyMapsToTheSamePartitionInAnotherJvm() throws Exception {
        File out = File.createTempFile("ring", ".txt");
        out.deleteOnExit();
        List<String> command = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-cp", System.getProperty("java.class.path"), RingPrinter.class.getName(), "16", out.getPath()));
        Process other = new ProcessBuilder(command).inheritIO().start();
        assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(other.exitValue()).isZero();

        HashRing ring = new HashRing(16);
        List<String> here = KEYS.stream().map(key -> key + "=" + ring.partitionOf(key)).toList();
        assertThat(Files.readAllLines(out.toPath(), StandardCharsets.UTF_8)).isEqualTo(here);
    }

    @Test
    void oneAndOnlyOnePartitionTakesEverything() {
        HashRing single = new HashRing(1);
        assertThat(KEYS.stream().mapToInt(single::partitionOf).distinct()).containsExactly(0);
        assertThatThrownBy(() -> new HashRing(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Runs in the other JVM: writes key=partition for the same keys. */
    public static final class RingPrinter {
        public static void main(String[] args) throws Exception {
            HashRing ring = new HashRing(Integer.parseInt(args[0]));
            Files.write(new File(args[1]).toPath(), KEYS.stream().map(key -> key + "=" + ring.partitionOf(key)).toList(),
                    StandardCharsets.UTF_8);
        }
    }
}
