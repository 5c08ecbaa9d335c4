package io.fleetsaga.common.event;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes {@link EventEnvelope}s as JSON documents with the payload embedded as a JSON object
 * (not as an escaped string), so that a record on a topic is readable with any Kafka tool.
 *
 * <p>Decoding is strict: a record that is not JSON, misses a required field or carries a payload that
 * is not a JSON object is rejected with {@link MalformedEventException}.
 */
public final class EnvelopeCodec {

    private final ObjectMapper mapper;

    public EnvelopeCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public EnvelopeCodec() {
        this(new ObjectMapper());
    }

    public String encode(EventEnvelope envelope) {
        ObjectNode node = mapper.createObjectNode();
        node.put("eventId", envelope.eventId().toString());
        node.put("type", envelope.type());
        node.put("aggregateType", envelope.aggregateType());
        node.put("aggregateId", envelope.aggregateId());
        if (envelope.aggregateVersion() != null) {
            node.put("aggregateVersion", envelope.aggregateVersion());
        }
        node.put("occurredAt", envelope.occurredAt().toString());
        if (envelope.traceparent() != null) {
            node.put("traceparent", envelope.traceparent());
        }
        node.set("payload", parsePayload(envelope.payload()));
        try {
            return mapper.writeValueAsString(node);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot encode envelope " + envelope.eventId(), e);
        }
    }

    public EventEnvelope decode(byte[] data) {
        if (data == null) {
            throw new MalformedEventException("record has no value");
        }
        return decode(new String(data, StandardCharsets.UTF_8));
    }

    public EventEnvelope decode(String json) {
        JsonNode node;
        try {
            node = mapper.readTree(json);
        } catch (JacksonException e) {
            throw new MalformedEventException("record value is not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new MalformedEventException("record value is not a JSON object");
        }
        JsonNode payload = node.get("payload");
        if (payload == null || !payload.isObject()) {
            throw new MalformedEventException("field 'payload' must be a JSON object");
        }
        try {
            JsonNode version = node.get("aggregateVersion");
            return new EventEnvelope(
                    UUID.fromString(text(node, "eventId")),
                    text(node, "type"),
                    text(node, "aggregateType"),
                    text(node, "aggregateId"),
                    version == null || version.isNull() ? null : requireLong(version),
                    Instant.parse(text(node, "occurredAt")),
                    node.hasNonNull("traceparent") ? node.get("traceparent").asText() : null,
                    payload.toString());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new MalformedEventException("invalid envelope: " + e.getMessage(), e);
        }
    }

    private JsonNode parsePayload(String payload) {
        try {
            JsonNode node = mapper.readTree(payload);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("payload must be a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("payload is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static long requireLong(JsonNode node) {
        if (!node.canConvertToExactIntegral() || !node.canConvertToLong()) {
            throw new IllegalArgumentException("aggregateVersion must be an integer");
        }
        return node.asLong();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new MalformedEventException("missing or blank field '" + field + "'");
        }
        return value.asText();
    }
}
