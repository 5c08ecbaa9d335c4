package io.fleetsaga.order.saga;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.common.retry.BackoffPolicy;
import io.fleetsaga.order.messaging.OrderTopics;
import io.fleetsaga.order.order.ExpectedVersion;
import io.fleetsaga.order.order.OrderChanges;
import io.fleetsaga.order.order.OrderSnapshot;
import io.fleetsaga.order.order.OrderStateChanged;
import io.fleetsaga.order.order.OrderStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * The saga's transactions, one per step; reached only through the proxy (from {@link AssignmentSagas} and
 * {@link SagaDeadlineChecker}).
 *
 * <p>Every step first writes or locks the order's row ({@link OrderChanges}) and only then changes the saga
 * row, so all writers take the two locks in the same order, and every event a step appends to the outbox
 * is inserted in the order's commit order.
 */
@Component
class SagaSteps {

    static final String NO_REPLY = "no reply from assignment-service";
    static final String CANCELLED = "order cancelled";

    private static final Logger log = LoggerFactory.getLogger(SagaSteps.class);

    private final OrderChanges changes;
    private final SagaStore store;
    private final OutboxWriter outbox;
    private final ObjectMapper mapper;
    private final SagaMetrics metrics;
    private final SagaSettings settings;
    private final BackoffPolicy policy;

    SagaSteps(
            OrderChanges changes,
            SagaStore store,
            OutboxWriter outbox,
            ObjectMapper mapper,
            SagaMetrics metrics,
            SagaSettings settings) {
        this.changes = changes;
        this.store = store;
        this.outbox = outbox;
        this.mapper = mapper;
        this.metrics = metrics;
        this.settings = settings;
        this.policy = settings.policy();
    }

    /**
     * Order → ASSIGNMENT_PENDING, saga row STARTED, {@code OrderStateChanged} and the command, then the caller's
     * {@code beforeCommit}: one transaction.
     */
    @Transactional
    SagaStarted start(
            String orderId,
            String taskId,
            ExpectedVersion expectedVersion,
            Consumer<? super SagaStarted> beforeCommit) {
        OrderSnapshot order = changes.apply(orderId, expectedVersion, (o, now) -> o.assign(taskId, now));
        UUID sagaId = UUID.randomUUID();
        EventEnvelope command = command(sagaId, orderId, taskId, order.version());
        store.insert(sagaId, orderId, taskId, order.version(), command.eventId(), settings.timeout());
        outbox.append(OrderTopics.ORDER_EVENTS, command);
        SagaStarted started = new SagaStarted(sagaId, taskId, order);
        beforeCommit.accept(started);
        return started;
    }

    /** In the inbox's transaction: saga CONFIRMED, order ASSIGNED; nothing when the saga is not running. */
    @Transactional(propagation = Propagation.MANDATORY)
    void onLinked(OrderLinked reply) {
        Optional<AssignmentSaga> running = running(reply.sagaId(), reply.orderId(), reply.taskId(), OrderLinked.TYPE);
        if (running.isEmpty()) {
            return;
        }
        AssignmentSaga saga = running.get();
        changes.apply(saga.orderId(), null, (o, now) -> o.confirmAssignment(now));
        finish(saga, SagaStatus.CONFIRMED, null);
        metrics.ended(SagaMetrics.Outcome.CONFIRMED);
    }

    /** In the inbox's transaction: saga COMPENSATED, order back to CREATED with the reason. */
    @Transactional(propagation = Propagation.MANDATORY)
    void onRejected(AssignmentRejected reply) {
        Optional<AssignmentSaga> running =
                running(reply.sagaId(), reply.orderId(), reply.taskId(), AssignmentRejected.TYPE);
        if (running.isEmpty()) {
            return;
        }
        AssignmentSaga saga = running.get();
        String reason = reply.describe();
        changes.apply(saga.orderId(), null, (o, now) -> o.compensateAssignment(reason, now));
        finish(saga, SagaStatus.COMPENSATED, reason);
        metrics.ended(SagaMetrics.Outcome.REJECTED);
    }

    /** In the cancellation's transaction (the order row is written already): the running saga is compensated. */
    @Transactional(propagation = Propagation.MANDATORY)
    void onCancelled(String orderId, String reason) {
        if (store.compensateRunning(orderId, reason == null ? CANCELLED : CANCELLED + ": " + reason)) {
            metrics.ended(SagaMetrics.Outcome.CANCELLED);
        }
    }

    /**
     * A saga past its deadline ({@link AssignmentSaga#atDeadline}: its command reached the broker and no reply came
     * in time): the command is sent again (same saga id, a new event whose own acknowledgement starts the next
     * deadline), or — after the last attempt — the saga is STUCK and the order compensated back to CREATED with
     * the reason {@value #NO_REPLY}. A saga whose command is still in the outbox is left alone. Safe to run on
     * several instances at once: the order row lock and the conditional update let exactly one act.
     *
     * <p>Compensating is safe even if assignment-service did link the order and only its reply is missing:
     * the compensation publishes the order's new state (CREATED, newer version), which comes after every
     * command of this saga on the order's partition, and a CREATED order is never linked, so
     * assignment-service releases the link. A reply that still arrives finds the saga STUCK and changes
     * nothing.
     */
    @Transactional
    void onDeadline(UUID sagaId) {
        Optional<AssignmentSaga> found = store.find(sagaId);
        if (found.isEmpty()) {
            return;
        }
        AssignmentSaga saga = found.get();
        // once passed, a deadline stays passed (an acknowledged command stays acknowledged); a saga that ended
        // meanwhile is caught by the conditional updates below
        switch (saga.atDeadline(store.now(), settings.maxAttempts())) {
            case NOT_RUNNING, WAIT, WAIT_FOR_CONSUMER -> {}
            case GIVE_UP -> giveUp(saga, changes.lock(saga.orderId()));
            case SEND_AGAIN -> {
                changes.lock(saga.orderId());
                sendAgain(saga);
            }
        }
    }

    private void giveUp(AssignmentSaga saga, OrderSnapshot order) {
        String reason = NO_REPLY + " after " + saga.attempts() + " attempts";
        if (!store.giveUp(saga.id(), saga.attempts(), reason)) {
            return;
        }
        if (order.status() == OrderStatus.ASSIGNMENT_PENDING) {
            changes.apply(saga.orderId(), null, (o, now) -> o.compensateAssignment(NO_REPLY, now));
        }
        log.warn(
                "assignment saga {} of order {} to task {} is STUCK: {}",
                saga.id(),
                saga.orderId(),
                saga.taskId(),
                reason);
        metrics.ended(SagaMetrics.Outcome.STUCK);
    }

    private void sendAgain(AssignmentSaga saga) {
        Duration wait = settings.timeout().plus(policy.delay(saga.attempts()));
        EventEnvelope command = command(saga.id(), saga.orderId(), saga.taskId(), saga.orderVersion());
        if (store.nextAttempt(saga.id(), saga.attempts(), command.eventId(), wait)) {
            outbox.append(OrderTopics.ORDER_EVENTS, command);
            log.info(
                    "assignment saga {} of order {}: no reply to attempt {} within {} of its command's"
                            + " acknowledgement, command sent again",
                    saga.id(),
                    saga.orderId(),
                    saga.attempts(),
                    saga.replyWait());
            metrics.retried();
        }
    }

    private Optional<AssignmentSaga> running(UUID sagaId, String orderId, String taskId, String type) {
        Optional<AssignmentSaga> found = store.find(sagaId);
        if (found.isEmpty()) {
            log.warn("{} for unknown saga {} (order {}) ignored", type, sagaId, orderId);
            return Optional.empty();
        }
        AssignmentSaga saga = found.get();
        if (!saga.orderId().equals(orderId) || !saga.taskId().equals(taskId)) {
            log.warn(
                    "{} for saga {} names order {} / task {}, but the saga is about order {} / task {}: ignored",
                    type,
                    sagaId,
                    orderId,
                    taskId,
                    saga.orderId(),
                    saga.taskId());
            return Optional.empty();
        }
        if (saga.status() != SagaStatus.STARTED) {
            log.info("{} for saga {} that is {} already: nothing to do", type, sagaId, saga.status());
            return Optional.empty();
        }
        return found;
    }

    private void finish(AssignmentSaga saga, SagaStatus status, String reason) {
        if (!store.finish(saga.id(), status, reason)) {
            throw new SagaChangedConcurrentlyException(saga.id());
        }
    }

    private EventEnvelope command(UUID sagaId, String orderId, String taskId, long orderVersion) {
        AssignOrderRequested command = new AssignOrderRequested(sagaId.toString(), orderId, taskId, orderVersion);
        return EventEnvelope.of(
                AssignOrderRequested.TYPE, OrderStateChanged.AGGREGATE_TYPE, orderId, orderVersion, json(command));
    }

    private String json(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise " + payload, e);
        }
    }
}
