package io.fleetsaga.order.saga;

import io.fleetsaga.order.order.ExpectedVersion;
import io.fleetsaga.order.order.OrderWriteRetry;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.stereotype.Service;

/**
 * The saga "assign order": order-service records the intent (order ASSIGNMENT_PENDING, saga row STARTED,
 * command in the outbox, one transaction), assignment-service links or rejects, and the reply confirms
 * (order ASSIGNED) or compensates (order back to CREATED, reason kept). A saga without a reply is retried
 * by {@link SagaDeadlineChecker} and finally reported as {@link SagaStatus#STUCK}.
 *
 * <p><b>Guarantees.</b> The saga's state is a table row, never memory: it survives restarts. A saga leaves
 * {@code STARTED} exactly once (conditional update); replies for a saga that is no longer running —
 * duplicates, late replies, replies after a cancellation — change nothing and do not fail.
 */
@Service
public class AssignmentSagas {

    private final SagaSteps steps;
    private final SagaStore store;
    private final OrderWriteRetry retry;

    AssignmentSagas(SagaSteps steps, SagaStore store, OrderWriteRetry retry) {
        this.steps = steps;
        this.store = store;
        this.retry = retry;
    }

    /**
     * Starts assigning the order to the task.
     *
     * @param expectedVersion the order version the caller saw, or {@code null}
     * @param beforeCommit runs inside the saga's first transaction, after the saga was recorded: what it writes
     *     commits with the saga (the dispatcher API's idempotent response), and if it throws nothing commits
     * @throws io.fleetsaga.order.order.OrderNotFoundException, io.fleetsaga.order.order.IllegalTransitionException,
     *     io.fleetsaga.order.order.OrderVersionMismatchException, io.fleetsaga.order.order.OrderConflictException
     */
    public SagaStarted start(
            String orderId,
            String taskId,
            ExpectedVersion expectedVersion,
            Consumer<? super SagaStarted> beforeCommit) {
        return retry.run(
                "assignment of order " + orderId + " to task " + taskId,
                () -> steps.start(orderId, taskId, expectedVersion, beforeCommit));
    }

    /** Applies the reply; must run in the caller's (the inbox's) transaction. */
    public void onOrderLinked(OrderLinked reply) {
        steps.onLinked(reply);
    }

    /** Applies the reply; must run in the caller's (the inbox's) transaction. */
    public void onAssignmentRejected(AssignmentRejected reply) {
        steps.onRejected(reply);
    }

    public Optional<AssignmentSaga> find(UUID sagaId) {
        return store.find(sagaId);
    }

    /** Sagas in {@code status} (all when {@code null}), most recently changed first. */
    public List<AssignmentSaga> list(SagaStatus status, int limit) {
        return store.list(status, limit);
    }
}
