package io.fleetsaga.common.metrics;

import io.fleetsaga.common.inbox.InboxListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;

/**
 * Inbox metrics, fed by {@link InboxListener} hooks: {@code inbox_processed_total{consumer}} and
 * {@code inbox_duplicates_total{consumer}} (redeliveries that were acknowledged and skipped).
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

    @Override
    public void duplicate(String consumer, UUID messageId) {
        Counter.builder("inbox.duplicates")
                .description("Redelivered messages acknowledged and skipped by an idempotent consumer")
                .tag("consumer", consumer)
                .register(registry)
                .increment();
    }
}
