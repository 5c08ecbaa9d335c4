package io.fleetsaga.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.OutboxLaneState;
import io.fleetsaga.common.outbox.OutboxLaneState.Status;
import io.fleetsaga.common.outbox.OutboxListener;
import io.fleetsaga.common.outbox.OutboxRelay;
import io.fleetsaga.common.support.Outboxes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** A lane that backs off is shown in health details, never as DOWN (incident I-4: requests do not need Kafka). */
class OutboxLanesHealthIndicatorTests {

    static final Instant NOW = Instant.parse("2026-12-01T10:10:00Z");
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void aLaneThatBacksOffShowsSinceWhenAndWhyAndTheServiceStaysUp() {
        OutboxLaneState state = new OutboxLaneState(
                "kafka",
                Status.BACKING_OFF,
                NOW.minus(Duration.ofMinutes(7)),
                9,
                "org.apache.kafka.common.errors.TimeoutException: Expiring 1 record(s)",
                NOW.plusSeconds(20));

        Map<String, Object> details = OutboxLanesHealthIndicator.details(state, clock);

        assertThat(details)
                .containsEntry("status", "BACKING_OFF")
                .containsEntry("since", "2026-12-01T10:03:00Z")
                .containsEntry("backingOffSeconds", 420.0)
                .containsEntry("consecutiveFailures", 9)
                .containsEntry("nextProbeAt", "2026-12-01T10:10:20Z")
                .containsEntry("lastError", "org.apache.kafka.common.errors.TimeoutException: Expiring 1 record(s)");
    }

    @Test
    void reportsEveryRelaysLaneAndIsAlwaysUp() {
        DriverManagerDataSource unused = new DriverManagerDataSource("jdbc:mysql://unused.invalid/never");
        OutboxRelay relay = new OutboxRelay(
                new JdbcOutboxStore(unused, new DataSourceTransactionManager(unused)),
                record -> CompletableFuture.completedFuture(null),
                Outboxes.settings(10, Duration.ofMillis(10), 3),
                new OutboxListener() {});

        Health health = new OutboxLanesHealthIndicator(List.of(relay), clock).health();

        assertThat(health.getStatus().getCode()).isEqualTo("UP");
        assertThat(health.getDetails()).containsOnlyKeys("all");
        @SuppressWarnings("unchecked")
        Map<String, Object> lane = (Map<String, Object>) health.getDetails().get("all");
        assertThat(lane).containsEntry("status", "UP").doesNotContainKey("nextProbeAt");
    }
}
