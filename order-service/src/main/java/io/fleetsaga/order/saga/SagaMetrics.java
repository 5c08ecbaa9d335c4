package io.fleetsaga.order.saga;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The saga's metrics: {@code saga_stuck} (gauge, sagas in {@link SagaStatus#STUCK}), {@code
 * saga_running{command}} (gauge, running sagas by where their current command is: {@code in_outbox} — waiting for
 * the broker, no deadline runs —, {@code parked} — blocked until ops requeue the command —, {@code sent} and
 * {@code untracked}), both refreshed by the deadline checker from the database, {@code saga_outcomes_total{outcome}}
 * {@code saga_retries_total} and {@code saga_held_for_consumer_total} (due sagas held because assignment-service's
 * consumer had not consumed their command yet — it grows while the consumer works through a backlog, each held saga
 * counted once per reply wait). Counters move only when the transaction that caused them commits.
 */
@Component
class SagaMetrics {

    /** How a saga ended. */
    enum Outcome {
        CONFIRMED,
        REJECTED,
        CANCELLED,
        STUCK;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final AtomicLong stuck = new AtomicLong();
    private final Map<CommandDelivery, AtomicLong> running = new EnumMap<>(CommandDelivery.class);
    private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
    private final Counter retries;
    private final Counter heldForConsumer;

    SagaMetrics(MeterRegistry registry) {
        Gauge.builder("saga.stuck", stuck, AtomicLong::get)
                .description("Assignment sagas that got no reply after their last attempt")
                .register(registry);
        for (CommandDelivery command : CommandDelivery.values()) {
            AtomicLong count = new AtomicLong();
            running.put(command, count);
            Gauge.builder("saga.running", count, AtomicLong::get)
                    .description("Running assignment sagas, by where their current command is (in_outbox: waiting"
                            + " for the broker, parked: blocked until the command is requeued)")
                    .tag("command", command.tag())
                    .register(registry);
        }
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(
                    outcome,
                    Counter.builder("saga.outcomes")
                            .description("Assignment sagas ended, by outcome")
                            .tag("outcome", outcome.tag())
                            .register(registry));
        }
        retries = Counter.builder("saga.retries")
                .description("Assignment commands sent again after a timed-out attempt")
                .register(registry);
        heldForConsumer = Counter.builder("saga.held.for.consumer")
                .description("Assignment sagas past their deadline held because assignment-service's consumer has"
                        + " not consumed their command yet (counted at each look, once per reply wait)")
                .register(registry);
    }

    void heldForConsumer() {
        heldForConsumer.increment();
    }

    void ended(Outcome outcome) {
        afterCommit(outcomes.get(outcome)::increment);
    }

    void retried() {
        afterCommit(retries::increment);
    }

    void stuck(long count) {
        stuck.set(count);
    }

    void running(Map<CommandDelivery, Long> counts) {
        running.forEach((command, count) -> count.set(counts.getOrDefault(command, 0L)));
    }

    private static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }
}
