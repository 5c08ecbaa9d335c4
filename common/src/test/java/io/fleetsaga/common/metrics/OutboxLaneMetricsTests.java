package io.fleetsaga.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.outbox.OutboxLaneState;
import io.fleetsaga.common.outbox.OutboxLaneState.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The lane gauges the alert FleetSagaOutboxLaneBackingOff reads. */
class OutboxLaneMetricsTests {

    static final Instant NOW = Instant.parse("2026-12-01T10:10:00Z");

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final OutboxMetrics metrics =
            new OutboxMetrics(null, registry, Duration.ofSeconds(5), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aLaneIsExportedFromItsFirstStateAndShowsHowLongItHasBeenBackingOff() {
        metrics.laneChanged(new OutboxLaneState("kafka", Status.UP, NOW.minusSeconds(3600), 0, null, null));

        assertThat(gauge("outbox.lane.backing.off")).isZero();
        assertThat(gauge("outbox.lane.backoff")).isZero();

        metrics.laneChanged(backingOff(1));
        metrics.laneChanged(backingOff(2));

        assertThat(gauge("outbox.lane.backing.off")).isEqualTo(1);
        assertThat(gauge("outbox.lane.backoff")).isEqualTo(420);
        assertThat(registry.get("outbox.lane.transport.failures")
                        .tag("lane", "kafka")
                        .counter()
                        .count())
                .isEqualTo(2);

        metrics.laneChanged(new OutboxLaneState("kafka", Status.UP, NOW, 0, "broker away", null));

        assertThat(gauge("outbox.lane.backing.off")).isZero();
        assertThat(gauge("outbox.lane.backoff")).isZero();
    }

    private OutboxLaneState backingOff(int failures) {
        return new OutboxLaneState(
                "kafka", Status.BACKING_OFF, NOW.minusSeconds(420), failures, "broker away", NOW.plusSeconds(10));
    }

    private double gauge(String name) {
        return registry.get(name).tag("lane", "kafka").gauge().value();
    }
}
