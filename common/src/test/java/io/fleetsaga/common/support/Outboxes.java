package io.fleetsaga.common.support;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.OutboxRecord;
import io.fleetsaga.common.outbox.OutboxSettings;
import io.fleetsaga.common.outbox.kafka.KafkaOutboxPublisher;
import io.fleetsaga.common.outbox.kafka.OutboxProducerConfig;
import io.fleetsaga.infra.RealInfrastructure;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/** Object mother for outbox tests. */
public final class Outboxes {

    private Outboxes() {}

    public static OutboxSettings settings(int batchSize, Duration initialBackoff, int maxAttempts) {
        return new OutboxSettings(
                true,
                Duration.ofMillis(20),
                batchSize,
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                Duration.ofDays(7),
                Duration.ofMinutes(10),
                Duration.ofSeconds(1),
                new OutboxSettings.Retry(initialBackoff, 2.0, initialBackoff.multipliedBy(8), maxAttempts),
                new OutboxSettings.Backoff(initialBackoff, 2.0, initialBackoff.multipliedBy(8)),
                new OutboxSettings.Kafka(Duration.ofSeconds(3), Duration.ofSeconds(5), batchSize));
    }

    /**
     * Settings whose every wait is short: sends to a broker that is away fail after 1.5 s, the backoff between
     * a record's attempts is at most {@code 4 × initialBackoff}, so {@code maxAttempts} attempts are used up
     * within seconds.
     */
    public static OutboxSettings fastFailing(int batchSize, Duration initialBackoff, int maxAttempts) {
        return new OutboxSettings(
                true,
                Duration.ofMillis(20),
                batchSize,
                Duration.ofSeconds(10),
                Duration.ofSeconds(3),
                Duration.ofDays(7),
                Duration.ofMinutes(10),
                Duration.ofSeconds(1),
                new OutboxSettings.Retry(initialBackoff, 2.0, initialBackoff.multipliedBy(4), maxAttempts),
                new OutboxSettings.Backoff(initialBackoff, 2.0, initialBackoff.multipliedBy(4)),
                new OutboxSettings.Kafka(Duration.ofMillis(500), Duration.ofMillis(1500), batchSize));
    }

    public static KafkaTemplate<String, String> template(String bootstrapServers, OutboxSettings settings) {
        Map<String, Object> props = OutboxProducerConfig.enforce(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                settings.kafka().maxBlock(),
                settings.kafka().deliveryTimeout());
        return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(props));
    }

    public static KafkaOutboxPublisher publisher(OutboxSettings settings) {
        return publisher(RealInfrastructure.get().kafka().bootstrapServers(), settings);
    }

    public static KafkaOutboxPublisher publisher(String bootstrapServers, OutboxSettings settings) {
        return new KafkaOutboxPublisher(template(bootstrapServers, settings), new EnvelopeCodec());
    }

    public static EventEnvelope event(String aggregateId, long version) {
        return EventEnvelope.of("ParcelMoved", "Parcel", aggregateId, version, "{\"version\":" + version + "}");
    }

    public static long version(OutboxRecord record) {
        return record.envelope().aggregateVersion();
    }
}
