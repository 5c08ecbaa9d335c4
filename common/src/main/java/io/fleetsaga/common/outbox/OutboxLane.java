package io.fleetsaga.common.outbox;

/**
 * Which rows one relay claims, by topic prefix. Separate lanes keep a slow transport (an HTTP receiver
 * that times out) from slowing the publication of the others (Kafka): each lane has its own relay, its
 * own batches and its own poll cadence. Ordering per aggregate is global, not per lane.
 *
 * @param name for logs and thread names
 * @param topicPrefix the prefix that selects rows, or {@code null} for every row
 * @param matching {@code true}: rows whose topic starts with the prefix; {@code false}: all other rows
 */
public record OutboxLane(String name, String topicPrefix, boolean matching) {

    /** Every row. */
    public static final OutboxLane ALL = new OutboxLane("all", null, true);

    /** Rows whose topic starts with {@code prefix}. */
    public static OutboxLane only(String name, String prefix) {
        return new OutboxLane(name, prefix, true);
    }

    /** Rows whose topic does not start with {@code prefix}. */
    public static OutboxLane excluding(String name, String prefix) {
        return new OutboxLane(name, prefix, false);
    }

    /** SQL condition on the outbox alias {@code o}, with one parameter ({@link #likePattern()}) unless ALL. */
    String condition() {
        if (topicPrefix == null) {
            return "";
        }
        return matching ? " AND o.topic LIKE ?" : " AND o.topic NOT LIKE ?";
    }

    /** Whether this lane publishes rows of {@code topic}. */
    public boolean matches(String topic) {
        return topicPrefix == null || topic.startsWith(topicPrefix) == matching;
    }

    String likePattern() {
        return topicPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
