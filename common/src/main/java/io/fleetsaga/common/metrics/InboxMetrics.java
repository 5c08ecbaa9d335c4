package io.fleetsaga.common.metrics;

import io.fleetsaga.common.inbox.InboxListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.UUID;

/**
 * Inbox metrics, fed by {@link InboxListener} hooks: {@code inbox_processed_total{consumer}} and
 * {@code inbox_duplicates_total{consumer}} (redeliveries that were acknowledged and skipped), and the histogram
 * {@code inbox_propagation_seconds{consumer}} of events (see {@link #propagated}).
 */
public final class InboxMetrics implements InboxListener {

    private final MeterRegistry registry;

    public InboxMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void processed(String consumer, UUID messageId) {
        Counter.builder("inbox.processed")
                .description("Messages processed by an idempotent consumer")
                .tag("consumer", consumer)
                .register(registry)
                .increment();
    }

    /**
     * {@code inbox_propagation_seconds{consumer}}: event occurred (in the writer's transaction) → its effect committed
     * here, with histogram buckets from 1 ms to 10 min so that p50/p99/p99.9 can be computed over any window in
     * Prometheus ({@code histogram_quantile}). A negative reading (clock skew between hosts) counts as 0.
     */
    @Override
    public void propagated(String consumer, UUID messageId, Duration propagation) {
        Timer.builder("inbox.propagation")
                .description(
                        "From an event occurring in its writer's transaction to its effect committing in this consumer")
                .tag("consumer", consumer)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry)
                .record(propagation.isNegative() ? Duration.ZERO : propagation);
    }

    @Override
    public void duplicate(String consumer, UUID messageId) {
        Counter.builder("inbox.duplicates")
                .description("Redelivered messages acknowledged and skipped by an idempotent consumer")
                .tag("consumer", consumer)
                .register(registry)
                .increment();
    }
}
