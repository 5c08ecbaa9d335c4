package io.fleetsaga.common.topics;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Kafka topics a service owns, which it declares and checks ({@link KafkaTopicsAutoConfiguration}): the topics
 * it produces, and the dead-letter topics ({@code <topic><fleetsaga.consumer.dead-letter-suffix>}) of the topics it
 * consumes — its error handler writes those. A topic is owned by exactly one service, so that one configuration
 * decides its shape. An application declares one bean:
 *
 * <pre>{@code
 * @Bean
 * OwnedTopics ownedTopics() {
 *     return OwnedTopics.producing(OrderTopics.ORDER_EVENTS).withDeadLettersOf(OrderTopics.ASSIGNMENT_EVENTS);
 * }
 * }</pre>
 *
 * @param produced topics this service produces
 * @param deadLettersOf topics this service consumes, whose dead-letter topics it owns
 */
public record OwnedTopics(Set<String> produced, Set<String> deadLettersOf) {

    public OwnedTopics {
        produced = checked(produced);
        deadLettersOf = checked(deadLettersOf);
    }

    /** Owns the topics it produces. */
    public static OwnedTopics producing(String... topics) {
        return new OwnedTopics(Set.of(topics), Set.of());
    }

    /** Also owns the dead-letter topics of these consumed topics. */
    public OwnedTopics withDeadLettersOf(String... consumedTopics) {
        return new OwnedTopics(produced, Set.of(consumedTopics));
    }

    private static Set<String> checked(Collection<String> topics) {
        for (String topic : topics) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("a topic name must not be blank");
            }
        }
        return Set.copyOf(new TreeSet<>(topics));
    }

    /** The owned topics' names, with {@code suffix} for dead-letter topics, sorted. */
    public List<String> names(String suffix) {
        Set<String> all = new TreeSet<>(produced);
        deadLettersOf.forEach(topic -> all.add(topic + suffix));
        return List.copyOf(all);
    }
}
