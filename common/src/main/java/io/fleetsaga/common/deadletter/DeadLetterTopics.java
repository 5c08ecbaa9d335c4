package io.fleetsaga.common.deadletter;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The dead-letter topics of this service: {@code <topic><suffix>} of every topic its listener containers consume
 * (the kit's error handler writes there). Read from the containers each time, so it is complete once the
 * application context has created them.
 */
public final class DeadLetterTopics {

    private final Supplier<? extends Collection<String>> consumedTopics;
    private final String suffix;

    public DeadLetterTopics(Supplier<? extends Collection<String>> consumedTopics, String suffix) {
        if (suffix == null || suffix.isEmpty()) {
            throw new IllegalArgumentException("the dead-letter suffix must not be empty");
        }
        this.consumedTopics = consumedTopics;
        this.suffix = suffix;
    }

    /** Dead-letter topic → the topic its records came from, sorted by name. */
    public Map<String, String> all() {
        Map<String, String> all = new TreeMap<>();
        for (String topic : consumedTopics.get()) {
            if (topic != null && !topic.isBlank() && !topic.endsWith(suffix)) {
                all.put(topic + suffix, topic);
            }
        }
        return all;
    }

    /** The topic the records of {@code deadLetterTopic} came from. */
    public String originalOf(String deadLetterTopic) {
        String original = all().get(deadLetterTopic);
        if (original == null) {
            throw new DeadLetterException(
                    DeadLetterException.Reason.UNKNOWN_TOPIC,
                    "'" + deadLetterTopic + "' is not a dead-letter topic of this service; its dead-letter topics: "
                            + all().keySet());
        }
        return Objects.requireNonNull(original);
    }
}
