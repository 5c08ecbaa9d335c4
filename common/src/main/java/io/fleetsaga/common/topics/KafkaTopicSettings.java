package io.fleetsaga.common.topics;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the Kafka topics a service owns ({@code fleetsaga.kafka.topics.*}): the topics it produces and the
 * dead-letter topics of the topics it consumes ({@link OwnedTopics}).
 *
 * <p>The defaults are for a production cluster of at least three brokers: with replication factor 3 and {@code
 * min.insync.replicas} 2, a write acknowledged with {@code acks=all} (the outbox relay and the dead-letter producer)
 * is on two brokers, and one broker may be lost or restarted without stopping writes. Only a single-broker setup
 * (the local profile, the embedded test stacks, the compose kit) sets both to 1.
 *
 * @param partitions partitions of a declared topic (the unit of consumer parallelism and of per-order ordering: the
 *     key is the order id); an existing topic with fewer is raised to it, never lowered
 * @param replicationFactor copies of each partition of a declared topic
 * @param minInsyncReplicas {@code min.insync.replicas} of a declared topic: replicas that must have a write before
 *     an {@code acks=all} producer gets its acknowledgement; at most {@code replication-factor}, or no such write can
 *     ever succeed
 * @param declare create the owned topics at startup (off the startup path, retried until the broker answers);
 *     {@code false} where topics are managed elsewhere (Strimzi {@code KafkaTopic} resources, a platform team). The
 *     startup safety check ({@link TopicSafetyCheck}) runs either way
 */
@ConfigurationProperties("fleetsaga.kafka.topics")
public record KafkaTopicSettings(
        @DefaultValue("3") int partitions,
        @DefaultValue("3") short replicationFactor,
        @DefaultValue("2") int minInsyncReplicas,
        @DefaultValue("true") boolean declare) {

    public KafkaTopicSettings {
        if (partitions < 1) {
            throw new IllegalArgumentException("fleetsaga.kafka.topics.partitions must be at least 1");
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("fleetsaga.kafka.topics.replication-factor must be at least 1");
        }
        if (minInsyncReplicas < 1) {
            throw new IllegalArgumentException("fleetsaga.kafka.topics.min-insync-replicas must be at least 1");
        }
        if (minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("fleetsaga.kafka.topics.min-insync-replicas (" + minInsyncReplicas
                    + ") must not exceed fleetsaga.kafka.topics.replication-factor (" + replicationFactor
                    + "): no acks=all write could ever succeed (a single-broker setup sets both to 1)");
        }
    }
}
