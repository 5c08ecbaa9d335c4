package io.fleetsaga.order.saga;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
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
 * read from the outbox row in the same database: a saga whose command is still in the outbox is never due, nor is one
 * whose command assignment-service's consumer has not consumed yet ({@link CommandConsumption}, asked only about
 * sagas that would otherwise be re-sent or given up, with {@code fleetsaga.saga.wait-for-consumer}). Several
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
    private final CommandConsumption consumption;

    SagaDeadlineChecker(
            SagaStore store,
            SagaSteps steps,
            SagaMetrics metrics,
            SagaSettings settings,
            CommandConsumption consumption) {
        this.store = store;
        this.steps = steps;
        this.metrics = metrics;
        this.settings = settings;
        this.consumption = consumption;
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
     *
     * <p>A saga past its deadline whose command the consumer group has not consumed is held: its lower bound moves
     * one reply wait on ({@link AssignmentSaga#recheckForConsumerAt}). The consumer's progress is read once per check
     * and the sagas are looked at in the order their commands were acknowledged: once one command is not consumed,
     * no later one is, so a check costs a few broker calls however many sagas the backlog holds. The first check that
     * finds a held saga's command consumed gives its reply a whole reply wait from then ({@link
     * AssignmentSaga.DeadlineDecision#WAIT_FOR_REPLY}): the consumer may have consumed it a moment ago.
     */
    void check() {
        try {
            Instant now = store.now();
            CommandConsumption.Progress consumed = settings.waitForConsumer()
                    ? consumption.progress()
                    : CommandConsumption.Progress.EVERYTHING_CONSUMED;
            for (AssignmentSaga saga : inAcknowledgementOrder(store.candidates(settings.checkBatchSize()))) {
                try {
                    switch (saga.atDeadline(now, settings.maxAttempts(), consumed)) {
                        case NOT_RUNNING -> {}
                        case WAIT -> store.postpone(saga.id(), saga.attempts(), saga.recheckAt(now));
                        case WAIT_FOR_CONSUMER -> {
                            if (store.hold(saga.id(), saga.attempts(), saga.recheckForConsumerAt(now))) {
                                metrics.heldForConsumer();
                            }
                        }
                        case WAIT_FOR_REPLY -> store.release(saga.id(), saga.attempts(), saga.replyWaitFromNow(now));
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

    /** Sagas without an acknowledged command first, then by the acknowledgement of their command. */
    static List<AssignmentSaga> inAcknowledgementOrder(List<AssignmentSaga> sagas) {
        return sagas.stream()
                .sorted(Comparator.comparing(
                        (AssignmentSaga saga) -> saga.command().sentAt(),
                        Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
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
