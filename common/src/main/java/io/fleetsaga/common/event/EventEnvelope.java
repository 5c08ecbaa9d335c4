package io.fleetsaga.common.event;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * The immutable envelope every event and command travels in, through the outbox and Kafka.
 *
 * <p>The Kafka record key is always {@link #aggregateId()}, so all events of one aggregate land in one
 * partition and are consumed in the order they were published. {@link #eventId()} is what idempotent
 * consumers deduplicate on; {@link #aggregateVersion()} is what version guards compare.
 *
 * @param eventId unique id of this event, the deduplication key
 * @param type event type, e.g. {@code OrderStateChanged}
 * @param aggregateType type of the aggregate the event is about, e.g. {@code FleetOrder}
 * @param aggregateId id of that aggregate; the Kafka key and the per-aggregate ordering key
 * @param aggregateVersion the aggregate's version after the change, or {@code null} when not versioned
 * @param occurredAt when the change happened, kept to the microsecond
 * @param traceparent W3C trace context of the request that caused the event, or {@code null}
 * @param payload the event body as a JSON document
 */
public record EventEnvelope(
        UUID eventId,
        String type,
        String aggregateType,
        String aggregateId,
        Long aggregateVersion,
        Instant occurredAt,
        String traceparent,
        String payload) {

    public EventEnvelope {
        Objects.requireNonNull(eventId, "eventId");
        requireText(type, "type");
        requireText(aggregateType, "aggregateType");
        requireText(aggregateId, "aggregateId");
        // microseconds: what the outbox and MySQL DATETIME(6) keep, so an envelope survives a round trip
        occurredAt = Objects.requireNonNull(occurredAt, "occurredAt").truncatedTo(ChronoUnit.MICROS);
        requireText(payload, "payload");
    }

    /** A new envelope with a random event id, occurring now, without trace context. */
    public static EventEnvelope of(
            String type, String aggregateType, String aggregateId, Long aggregateVersion, String payload) {
        return new EventEnvelope(
                UUID.randomUUID(), type, aggregateType, aggregateId, aggregateVersion, Instant.now(), null, payload);
    }

    /** The same envelope carrying the given W3C trace context. */
    public EventEnvelope withTraceparent(String traceparent) {
        return new EventEnvelope(
                eventId, type, aggregateType, aggregateId, aggregateVersion, occurredAt, traceparent, payload);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
