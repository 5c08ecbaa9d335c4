package io.fleetsaga.assignment.reconciliation.messaging;

import io.fleetsaga.assignment.messaging.AssignmentTopics;
import io.fleetsaga.assignment.reconciliation.ConsumerPositions;
import io.fleetsaga.common.messaging.BoundedAdmin;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * {@link ConsumerPositions} read from the broker (the admin API's committed offsets of the group): they cover every
 * instance of this service, whichever consumes which partition. Each call is bounded by {@value #TIMEOUT_MILLIS} ms.
 */
@Component
class KafkaConsumerPositions implements ConsumerPositions, DisposableBean {

    static final int TIMEOUT_MILLIS = 10_000;

    private final BoundedAdmin admin;
    private final String group;

    KafkaConsumerPositions(KafkaAdmin kafkaAdmin, @Value("${spring.kafka.consumer.group-id}") String group) {
        this.admin = new BoundedAdmin(kafkaAdmin, Duration.ofMillis(TIMEOUT_MILLIS));
        this.group = group;
    }

    @Override
    public String group() {
        return group;
    }

    @Override
    public List<Position> committed() {
        Map<TopicPartition, OffsetAndMetadata> offsets;
        try {
            offsets = admin.await(admin.admin()
                    .listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().timeoutMs(TIMEOUT_MILLIS))
                    .partitionsToOffsetAndMetadata());
        } catch (BoundedAdmin.BrokerCallException e) {
            throw unavailable(e.getCause());
        }
        return offsets.entrySet().stream()
                .filter(e -> e.getKey().topic().equals(AssignmentTopics.ORDER_EVENTS) && e.getValue() != null)
                .map(e -> new Position(
                        e.getKey().topic(), e.getKey().partition(), e.getValue().offset()))
                .sorted(Comparator.comparingInt(Position::partition))
                .toList();
    }

    private PositionsUnavailableException unavailable(Throwable cause) {
        return new PositionsUnavailableException(
                "cannot read the committed offsets of consumer group " + group + ": " + cause, cause);
    }

    @Override
    public void destroy() {
        admin.close();
    }
}
