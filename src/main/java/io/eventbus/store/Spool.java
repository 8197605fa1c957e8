package io.eventbus.store;

import io.eventbus.message.BusMessage;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which destinations this node spooled to SQL because RabbitMQ was unreachable. While a
 * destination has spooled messages, later publishes to it are spooled too, so that none
 * overtakes them; once the spool sweep finds the spool empty, publishing goes to RabbitMQ again.
 */
public class Spool {

    private final Set<String> spooling = ConcurrentHashMap.newKeySet();

    public boolean isSpooling(BusMessage message) {
        return !spooling.isEmpty() && spooling.contains(destination(message));
    }

    public void spooled(BusMessage message) {
        spooling.add(destination(message));
    }

    /** True while this node routes some destination to the spool. */
    public boolean active() {
        return !spooling.isEmpty();
    }

    /** The spool sweep found no spooled message left. */
    public void drained() {
        spooling.clear();
    }

    private static String destination(BusMessage message) {
        return message.getTopic() != null ? "topic:" + message.getTopic() : "queue:" + message.getQueue();
    }
}
