package io.fleetsaga.assignment.reconciliation.messaging;

import io.fleetsaga.assignment.messaging.AssignmentTopics;
import io.fleetsaga.assignment.reconciliation.ConsumerPositions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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

    private final KafkaAdmin kafkaAdmin;
    private final String group;
    private volatile Admin admin;

    KafkaConsumerPositions(KafkaAdmin kafkaAdmin, @Value("${spring.kafka.consumer.group-id}") String group) {
        this.kafkaAdmin = kafkaAdmin;
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
            offsets = admin().listConsumerGroupOffsets(
                            group, new ListConsumerGroupOffsetsOptions().timeoutMs(TIMEOUT_MILLIS))
                    .partitionsToOffsetAndMetadata()
                    .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unavailable(e.getCause());
        } catch (TimeoutException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        }
        return offsets.entrySet().stream()
                .filter(e -> e.getKey().topic().equals(AssignmentTopics.ORDER_EVENTS) && e.getValue() != null)
                .map(e -> new Position(
                        e.getKey().topic(), e.getKey().partition(), e.getValue().offset()))
                .sorted(Comparator.comparingInt(Position::partition))
                .toList();
    }

    private Admin admin() {
        Admin current = admin;
        if (current == null) {
            synchronized (this) {
                if (admin == null) {
                    Map<String, Object> config = new HashMap<>(kafkaAdmin.getConfigurationProperties());
                    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MILLIS);
                    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MILLIS);
                    admin = Admin.create(config);
                }
                current = admin;
            }
        }
        return current;
    }

    private PositionsUnavailableException unavailable(Throwable cause) {
        return new PositionsUnavailableException(
                "cannot read the committed offsets of consumer group " + group + ": " + cause, cause);
    }

    @Override
    public void destroy() {
        Admin current = admin;
        if (current != null) {
            current.close(Duration.ofSeconds(5));
        }
    }
}
