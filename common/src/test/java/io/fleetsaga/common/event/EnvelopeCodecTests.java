package io.fleetsaga.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeCodecTests {

    private final EnvelopeCodec codec = new EnvelopeCodec();

    @Test
    void roundTripsEveryField() {
        EventEnvelope envelope = new EventEnvelope(
                UUID.randomUUID(),
                "OrderStateChanged",
                "FleetOrder",
                "order-1",
                7L,
                Instant.parse("2026-11-22T08:00:00.123456Z"),
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "{\"status\":\"DELIVERED\",\"taskId\":\"t-1\"}");

        EventEnvelope decoded = codec.decode(codec.encode(envelope).getBytes(StandardCharsets.UTF_8));

        assertThat(decoded).isEqualTo(envelope);
    }

    @Test
    void embedsThePayloadAsAnObjectNotAString() {
        String json = codec.encode(EventEnvelope.of("T", "A", "1", null, "{\"a\":1}"));

        assertThat(json).contains("\"payload\":{\"a\":1}").doesNotContain("aggregateVersion");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "not json",
                "[1,2]",
                "{}",
                "{\"eventId\":\"x\",\"type\":\"T\",\"aggregateType\":\"A\",\"aggregateId\":\"1\","
                        + "\"occurredAt\":\"2026-11-22T08:00:00Z\",\"payload\":{}}",
                "{\"eventId\":\"6f1c7c1e-4a84-4f3a-9d2a-2c1f1c1e4a84\",\"type\":\"T\",\"aggregateType\":\"A\","
                        + "\"aggregateId\":\"1\",\"occurredAt\":\"yesterday\",\"payload\":{}}",
                "{\"eventId\":\"6f1c7c1e-4a84-4f3a-9d2a-2c1f1c1e4a84\",\"type\":\"T\",\"aggregateType\":\"A\","
                        + "\"aggregateId\":\"1\",\"occurredAt\":\"2026-11-22T08:00:00Z\",\"payload\":\"{}\"}",
                "{\"eventId\":\"6f1c7c1e-4a84-4f3a-9d2a-2c1f1c1e4a84\",\"type\":\"T\",\"aggregateType\":\"A\","
                        + "\"aggregateId\":\"1\",\"aggregateVersion\":1.5,\"occurredAt\":\"2026-11-22T08:00:00Z\","
                        + "\"payload\":{}}"
            })
    void rejectsMalformedRecords(String value) {
        assertThatThrownBy(() -> codec.decode(value.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class);
    }

    @Test
    void rejectsAMissingValue() {
        assertThatThrownBy(() -> codec.decode((byte[]) null)).isInstanceOf(MalformedEventException.class);
    }

    @Test
    void refusesToEncodeAPayloadThatIsNotAnObject() {
        assertThatThrownBy(() -> codec.encode(EventEnvelope.of("T", "A", "1", null, "[1]")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
