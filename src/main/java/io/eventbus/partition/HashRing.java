package io.eventbus.partition;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A consistent-hash ring of partitions: each partition stands on the ring at
 * {@link #VIRTUAL_NODES} points, and a key belongs to the partition at the first point at or after
 * the key's own. Points and keys are placed by murmur3 (128-bit, first 64 bits), which Guava keeps
 * stable across versions, so every node and every restart maps a key alike; growing from N to N+1
 * partitions moves only the keys that land on the new partition's points, about 1/(N+1) of them.
 * Immutable, so one ring per partition count is shared by all threads.
 */
public final class HashRing {

    /** Points per partition: enough to keep partitions within a few percent of an even share. */
    public static final int VIRTUAL_NODES = 1000;

    private static final HashFunction HASH = Hashing.murmur3_128();

    private final int partitions;
    private final long[] points;
    private final int[] owners;

    public HashRing(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("a ring needs at least one partition, not " + partitions);
        }
        this.partitions = partitions;
        long[][] placed = new long[partitions * VIRTUAL_NODES][];
        int i = 0;
        for (int partition = 0; partition < partitions; partition++) {
            for (int node = 0; node < VIRTUAL_NODES; node++) {
                placed[i++] = new long[] {hash("partition-" + partition + "#" + node), partition};
            }
        }
        Arrays.sort(placed, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        points = new long[placed.length];
        owners = new int[placed.length];
        for (int j = 0; j < placed.length; j++) {
            points[j] = placed[j][0];
            owners[j] = (int) placed[j][1];
        }
    }

    public int partitions() {
        return partitions;
    }

    /** The partition a key belongs to. */
    public int partitionOf(String key) {
        int at = Arrays.binarySearch(points, hash(key));
        if (at < 0) {
            at = -at - 1; // the first point after the key
        }
        return owners[at == points.length ? 0 : at];
    }

    private static long hash(String value) {
        return HASH.hashString(value, StandardCharsets.UTF_8).asLong();
    }
}
