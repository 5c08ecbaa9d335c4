package io.fleetsaga.order.saga;

import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Every {@code fleetsaga.saga.check-interval}: re-sends or gives up the sagas past their deadline (each in
 * its own transaction, {@link SagaSteps#onDeadline}) and refreshes the {@code saga_stuck} and {@code saga_running}
 * gauges. A deadline runs from the broker's acknowledgement of the saga's command ({@link AssignmentSaga#deadline()}),
 * read from the outbox row in the same database: a saga whose command is still in the outbox is never due. Several
 * instances may run it at once; they need no lock, the conditional updates decide who acts. A failure is
 * logged and the saga stays due, so the next run tries again.
 */
@Component
class SagaDeadlineChecker implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(SagaDeadlineChecker.class);

    private final SagaStore store;
    private final SagaSteps steps;
    private final SagaMetrics metrics;
    private final SagaSettings settings;

    SagaDeadlineChecker(SagaStore store, SagaSteps steps, SagaMetrics metrics, SagaSettings settings) {
        this.store = store;
        this.steps = steps;
        this.metrics = metrics;
        this.settings = settings;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::check, settings.checkInterval());
    }

    void check() {
        try {
            List<UUID> due = store.due(settings.checkBatchSize());
            for (UUID sagaId : due) {
                try {
                    steps.onDeadline(sagaId);
                } catch (ConcurrencyFailureException e) {
                    log.debug("saga {} changed concurrently, next check decides: {}", sagaId, e.toString());
                } catch (RuntimeException e) {
                    log.warn("deadline of saga {} could not be handled, will retry: {}", sagaId, e.toString());
                }
            }
            metrics.stuck(store.count(SagaStatus.STUCK));
            metrics.running(store.countRunningByCommand());
        } catch (RuntimeException e) {
            log.warn("saga deadline check failed, will retry: {}", e.toString());
        }
    }
}
