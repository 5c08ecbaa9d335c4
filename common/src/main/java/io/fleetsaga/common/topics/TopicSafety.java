package io.fleetsaga.common.topics;

/**
 * Whether a topic's replication factor fits its {@code min.insync.replicas}, for producers with {@code acks=all}
 * (the outbox relay's and the dead-letter producer's).
 */
public enum TopicSafety {

    /** Replication factor at least {@code min.insync.replicas} + 1, or a single-broker setup (both 1). */
    SAFE,

    /**
     * Replication factor equals {@code min.insync.replicas} (above 1): writes stop while any one broker holding a
     * replica is down — a rolling restart stops them.
     */
    FRAGILE,

    /** Replication factor below {@code min.insync.replicas}: no {@code acks=all} write can ever succeed. */
    UNSAFE;

    /**
     * The verdict for a topic whose smallest partition has {@code replicationFactor} replicas and whose effective
     * {@code min.insync.replicas} is {@code minInsyncReplicas}.
     */
    public static TopicSafety of(int replicationFactor, int minInsyncReplicas) {
        if (replicationFactor < minInsyncReplicas) {
            return UNSAFE;
        }
        if (replicationFactor > 1 && replicationFactor < minInsyncReplicas + 1) {
            return FRAGILE;
        }
        return SAFE;
    }
}
