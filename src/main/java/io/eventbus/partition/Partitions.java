package io.eventbus.partition;

import io.eventbus.message.BusMessage;
import io.eventbus.store.QueueSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts a message of a partitioned queue in its partition: the ring's partition of its key, so
 * one key's messages share one partition on every node; a message without a key is spread by its
 * id (random bits), so unkeyed messages fill the partitions evenly. Plain queues and topics are
 * left alone (a key there is only metadata).
 */
public class Partitions {

    private final QueueSettings settings;
    private final Map<Integer, HashRing> rings = new ConcurrentHashMap<>();

    public Partitions(QueueSettings settings) {
        this.settings = settings;
    }

    public void assignAll(java.util.List<BusMessage> messages) {
        messages.forEach(this::assign);
    }

    public void assign(BusMessage message) {
        if (message.getQueue() == null || message.getTopic() != null) {
            return;
        }
        int partitions = settings.partitions(message.getQueue());
        if (partitions > 0) {
            HashRing ring = rings.computeIfAbsent(partitions, HashRing::new);
            message.setPartition(ring.partitionOf(message.getKey() != null ? message.getKey() : message.getId()));
        }
    }
}
