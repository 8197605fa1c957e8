package io.eventbus.security;

/** What a token may do to a queue or topic, each granted by name patterns of its own. */
public enum Permission {
    /** Publish and delayPublish, Publish and PublishBatch, to a queue or a topic. */
    PUBLISH("publish", "publish to"),
    /** Receive and settle: subscribe, Pull, Subscribe, and ack, nack, ExtendDeadline of what they delivered. */
    PULL("pull", "pull from"),
    /** Look and change: GetQueue, GetMessage, Redrive, Cancel, Bind. */
    ADMIN("admin", "administer");

    private final String key;
    private final String verb;

    Permission(String key, String verb) {
        this.key = key;
        this.verb = verb;
    }

    /** The configuration key of its patterns: eventbus.auth.token.NAME.KEY. */
    public String key() {
        return key;
    }

    /** As a sentence says it: "pull from". */
    public String verb() {
        return verb;
    }
}
