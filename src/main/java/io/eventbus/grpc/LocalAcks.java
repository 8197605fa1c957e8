package io.eventbus.grpc;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Tells a Subscribe stream at once when one of its deliveries is acked or nacked on this node, so
 * that it can take the next message without waiting for its periodic check in SQL (which still
 * finds the acks that reached other nodes). The ack routes call {@link #settled}.
 */
public class LocalAcks {

    private final Map<String, Consumer<String>> watchers = new ConcurrentHashMap<>();

    void watch(String id, Consumer<String> onSettled) {
        watchers.put(id, onSettled);
    }

    /** Stops watching, unless the id is watched by another stream now (it was delivered again). */
    void unwatch(String id, Consumer<String> onSettled) {
        watchers.remove(id, onSettled);
    }

    /** A delivery left flight here (acked or nacked). */
    public void settled(String id) {
        Consumer<String> watcher = watchers.remove(id);
        if (watcher != null) {
            watcher.accept(id);
        }
    }

    public void settledAll(List<String> ids) {
        ids.forEach(this::settled);
    }
}
