package io.fleetsaga.order.saga;

import java.time.Instant;
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
        registrar.addFixedDelayTask(this::refreshRunning, settings.statsInterval());
    }

    /**
     * Reads at most {@code check-batch-size} sagas whose stored lower bound of the deadline has passed, and for each
     * asks the saga ({@link AssignmentSaga#atDeadline}): due ones are re-sent or given up, the others get a later
     * lower bound — the real deadline once their command is acknowledged, else one reply wait from now. A long
     * broker outage therefore costs one small query and a few updates per check, not a scan of every waiting saga.
     */
    void check() {
        try {
            Instant now = store.now();
            for (AssignmentSaga saga : store.candidates(settings.checkBatchSize())) {
                try {
                    switch (saga.atDeadline(now, settings.maxAttempts())) {
                        case NOT_RUNNING -> {}
                        case WAIT -> store.postpone(saga.id(), saga.attempts(), saga.recheckAt(now));
                        case SEND_AGAIN, GIVE_UP -> steps.onDeadline(saga.id());
                    }
                } catch (ConcurrencyFailureException e) {
                    log.debug("saga {} changed concurrently, next check decides: {}", saga.id(), e.toString());
                } catch (RuntimeException e) {
                    log.warn("deadline of saga {} could not be handled, will retry: {}", saga.id(), e.toString());
                }
            }
            metrics.stuck(store.count(SagaStatus.STUCK));
        } catch (RuntimeException e) {
            log.warn("saga deadline check failed, will retry: {}", e.toString());
        }
    }

    /** Refreshes {@code saga_running{command}}: one scan of the running sagas, every {@code stats-interval}. */
    void refreshRunning() {
        try {
            metrics.running(store.countRunningByCommand());
        } catch (RuntimeException e) {
            log.warn("saga statistics could not be refreshed, will retry: {}", e.toString());
        }
    }
}
