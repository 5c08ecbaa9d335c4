package io.fleetsaga.common.outbox.kafka;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.event.EventHeaders;
import io.fleetsaga.common.outbox.OutboxPublisher;
import io.fleetsaga.common.outbox.OutboxRecord;
import io.fleetsaga.common.outbox.PublishFailure;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes outbox records to Kafka: key = aggregate id (per-aggregate partition and order), value =
 * the encoded envelope, plus headers for event id, type, aggregate and trace context.
 *
 * <p>The template's producer must be idempotent with {@code acks=all} and bounded {@code max.block.ms}
 * and {@code delivery.timeout.ms} ({@link OutboxProducerConfig} builds one): the returned future then
 * completes only on a full acknowledgement, and fails within a bounded time when the broker is away.
 */
public final class KafkaOutboxPublisher implements OutboxPublisher {

    private final KafkaTemplate<String, String> template;
    private final EnvelopeCodec codec;

    public KafkaOutboxPublisher(KafkaTemplate<String, String> template, EnvelopeCodec codec) {
        this.template = template;
        this.codec = codec;
    }

    @Override
    public CompletableFuture<?> publish(OutboxRecord record) {
        EventEnvelope envelope = record.envelope();
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.EVENT_ID, bytes(envelope.eventId().toString()));
        headers.add(EventHeaders.EVENT_TYPE, bytes(envelope.type()));
        headers.add(EventHeaders.AGGREGATE_TYPE, bytes(envelope.aggregateType()));
        if (envelope.aggregateVersion() != null) {
            headers.add(
                    EventHeaders.AGGREGATE_VERSION,
                    bytes(envelope.aggregateVersion().toString()));
        }
        if (envelope.traceparent() != null) {
            headers.add(EventHeaders.TRACEPARENT, bytes(envelope.traceparent()));
        }
        ProducerRecord<String, String> producerRecord =
                new ProducerRecord<>(record.topic(), null, envelope.aggregateId(), codec.encode(envelope), headers);
        return template.send(producerRecord);
    }

    /** See {@link KafkaFailures}. */
    @Override
    public PublishFailure classify(OutboxRecord record, Throwable failure) {
        return KafkaFailures.classify(failure);
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
