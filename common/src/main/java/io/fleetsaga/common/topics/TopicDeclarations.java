package io.fleetsaga.common.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.kafka.config.TopicBuilder;

/**
 * The {@link NewTopic}s of a service's {@link OwnedTopics}, built with Spring Kafka's {@link TopicBuilder} from
 * {@link KafkaTopicSettings}: every topic with the configured partitions, replication factor and {@code
 * min.insync.replicas}, dead-letter topics also with the retention of {@code
 * fleetsaga.consumer.dead-letters.retention} (the one {@code DeadLetterMonitor} raises an existing one to).
 *
 * <p>Deliberately not registered as {@code NewTopic} beans: Spring Kafka's {@code KafkaAdmin} creates those in
 * {@code afterSingletonsInstantiated()}, on the startup path, where a broker that does not answer holds the start
 * for {@code spring.kafka.admin.operation-timeout} (30 s) plus the admin client's close, and is never asked again.
 * {@link KafkaTopicsStartup} hands them to the same {@code KafkaAdmin} ({@code createOrModifyTopics}) after
 * startup, on its own thread, until the broker answered.
 *
 * <p>Only missing topics are created and missing partitions added; the configuration of an existing topic is left
 * alone (its retention may have been raised on purpose), the safety check reports one that is unsafe.
 */
public final class TopicDeclarations {

    private final List<NewTopic> topics;

    public TopicDeclarations(
            OwnedTopics owned, KafkaTopicSettings settings, String deadLetterSuffix, Duration deadLetterRetention) {
        List<NewTopic> all = new ArrayList<>();
        owned.produced().forEach(topic -> all.add(builder(topic, settings).build()));
        owned.deadLettersOf()
                .forEach(topic -> all.add(builder(topic + deadLetterSuffix, settings)
                        .config(TopicConfig.RETENTION_MS_CONFIG, Long.toString(deadLetterRetention.toMillis()))
                        .build()));
        all.sort(Comparator.comparing(NewTopic::name));
        this.topics = List.copyOf(all);
    }

    private static TopicBuilder builder(String name, KafkaTopicSettings settings) {
        return TopicBuilder.name(name)
                .partitions(settings.partitions())
                .replicas(settings.replicationFactor())
                .config(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(settings.minInsyncReplicas()));
    }

    /** The topics to declare, sorted by name. */
    public List<NewTopic> topics() {
        return topics;
    }
}
