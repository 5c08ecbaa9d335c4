package io.fleetsaga.common.topics;

import io.fleetsaga.common.messaging.BoundedAdmin;
import io.fleetsaga.common.messaging.BoundedAdmin.BrokerCallException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Reads from the broker what decides whether {@code acks=all} writes to a topic can succeed: the replicas of each
 * partition ({@code describeTopics}) and the topic's effective {@code min.insync.replicas} ({@code describeConfigs}:
 * the topic's own value or the broker's default). Every call is bounded ({@link BoundedAdmin}).
 */
public final class TopicSafetyCheck {

    /** One topic as the broker has it. */
    public record TopicReport(String topic, int replicationFactor, int minInsyncReplicas, TopicSafety safety) {

        static TopicReport of(String topic, int replicationFactor, int minInsyncReplicas) {
            return new TopicReport(
                    topic, replicationFactor, minInsyncReplicas, TopicSafety.of(replicationFactor, minInsyncReplicas));
        }
    }

    /**
     * @param reports the topics that exist, by name
     * @param missing the topics that do not exist (yet)
     */
    public record Result(Map<String, TopicReport> reports, List<String> missing) {}

    private final BoundedAdmin admin;

    public TopicSafetyCheck(BoundedAdmin admin) {
        this.admin = admin;
    }

    /**
     * Describes the topics.
     *
     * @throws BrokerCallException when the broker does not answer within the bound or fails a call
     */
    public Result check(Collection<String> topics) {
        DescribeTopicsResult described =
                admin.admin().describeTopics(topics, new DescribeTopicsOptions().timeoutMs(admin.timeoutMillis()));
        Map<String, Integer> replication = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> entry :
                described.topicNameValues().entrySet()) {
            try {
                TopicDescription description = admin.await(entry.getValue());
                replication.put(entry.getKey(), smallestReplication(description));
            } catch (BrokerCallException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                missing.add(entry.getKey());
            }
        }
        Map<String, TopicReport> reports = new TreeMap<>();
        if (!replication.isEmpty()) {
            List<ConfigResource> resources = replication.keySet().stream()
                    .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic))
                    .toList();
            Map<ConfigResource, Config> configs = admin.await(admin.admin()
                    .describeConfigs(resources, new DescribeConfigsOptions().timeoutMs(admin.timeoutMillis()))
                    .all());
            for (ConfigResource resource : resources) {
                ConfigEntry minIsr = configs.get(resource).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
                // absent only from a broker that hides it; Kafka's default is 1
                int value = minIsr == null || minIsr.value() == null ? 1 : Integer.parseInt(minIsr.value());
                String topic = resource.name();
                reports.put(topic, TopicReport.of(topic, replication.get(topic), value));
            }
        }
        return new Result(reports, List.copyOf(missing));
    }

    private static int smallestReplication(TopicDescription description) {
        return description.partitions().stream()
                .mapToInt(partition -> partition.replicas().size())
                .min()
                .orElse(0);
    }
}
