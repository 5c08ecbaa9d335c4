package io.fleetsaga.common.deadletter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code kafka_dead_letters_replayed_total{topic}} and {@code kafka_dead_letters_discarded_total{topic}}: what ops
 * did through this instance ({@code topic}: the original topic).
 */
final class DeadLetterCounters implements DeadLetterOperations.Listener {

    private final MeterRegistry registry;

    DeadLetterCounters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void replayed(String originalTopic) {
        Counter.builder("kafka.dead.letters.replayed")
                .description("Dead letters replayed to their original topic")
                .tag("topic", originalTopic)
                .register(registry)
                .increment();
    }

    @Override
    public void discarded(String originalTopic) {
        Counter.builder("kafka.dead.letters.discarded")
                .description("Dead letters discarded by ops")
                .tag("topic", originalTopic)
                .register(registry)
                .increment();
    }
}
