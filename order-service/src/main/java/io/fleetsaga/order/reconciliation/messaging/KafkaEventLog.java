package io.fleetsaga.order.reconciliation.messaging;

import io.fleetsaga.common.messaging.BoundedAdmin;
import io.fleetsaga.order.messaging.OrderTopics;
import io.fleetsaga.order.reconciliation.EventLog;
import io.fleetsaga.order.reconciliation.LogPartition;
import io.fleetsaga.order.reconciliation.LogPositions;
import io.fleetsaga.order.reconciliation.ReconciliationSettings;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Utils;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * {@link EventLog} over the broker's admin API: the end offsets of {@value OrderTopics#ORDER_EVENTS} (the
 * {@code LATEST} offset of each partition), and the partition of an order as the outbox relay's producer picks it —
 * the key is the order id and the producer's default partitioner maps a key to {@code murmur2(key) mod partitions}
 * (no partitioner is configured in this project; one configured would have to be mirrored here). Each call is bounded
 * by {@code fleetsaga.reconciliation.event-log-timeout}.
 */
@Component
class KafkaEventLog implements EventLog, DisposableBean {

    private final BoundedAdmin admin;

    KafkaEventLog(KafkaAdmin kafkaAdmin, ReconciliationSettings settings) {
        this.admin = new BoundedAdmin(kafkaAdmin, settings.eventLogTimeout());
    }

    @Override
    public LogPositions ends() {
        String topic = OrderTopics.ORDER_EVENTS;
        int timeoutMillis = admin.timeoutMillis();
        try {
            Set<TopicPartition> partitions = admin
                    .await(admin.admin()
                            .describeTopics(Set.of(topic), new DescribeTopicsOptions().timeoutMs(timeoutMillis))
                            .allTopicNames())
                    .get(topic)
                    .partitions()
                    .stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toSet());
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
            Map<LogPartition, Long> ends = new HashMap<>();
            admin.await(admin.admin()
                            .listOffsets(latest, new ListOffsetsOptions().timeoutMs(timeoutMillis))
                            .all())
                    .forEach((p, info) -> ends.put(new LogPartition(p.topic(), p.partition()), info.offset()));
            return new LogPositions(ends);
        } catch (BoundedAdmin.BrokerCallException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return new LogPositions(Map.of()); // nothing was ever published
            }
            throw unavailable(e.getCause());
        }
    }

    @Override
    public Set<LogPartition> partitionsOf(String orderId, LogPositions ends) {
        String topic = OrderTopics.ORDER_EVENTS;
        int partitions = ends.partitionCount(topic);
        if (partitions == 0) {
            return Set.of();
        }
        return Set.of(new LogPartition(topic, partitionOf(orderId, partitions)));
    }

    /** The partition the producer's default partitioner gives a record with this (string) key. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static EventLogUnavailableException unavailable(Throwable cause) {
        return new EventLogUnavailableException(
                "cannot read the end offsets of " + OrderTopics.ORDER_EVENTS + ": " + cause, cause);
    }

    @Override
    public void destroy() {
        admin.close();
    }
}
