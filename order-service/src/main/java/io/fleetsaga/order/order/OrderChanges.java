package io.fleetsaga.order.order;

import io.fleetsaga.common.chaos.CrashPoints;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.order.messaging.OrderTopics;
import java.time.Clock;
import java.time.Instant;
import java.util.function.BiFunction;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * The one way an order changes, inside the caller's transaction ({@link Propagation#MANDATORY}: without
 * one it fails instead of committing half a change).
 *
 * <p><b>Guarantees.</b> The order row is written first (flushed: an {@code UPDATE … WHERE version = ?}
 * that bumps the version and fails with an optimistic-lock exception if a concurrent writer got there
 * first), then the history row, then {@code OrderStateChanged} with the order's current state is appended
 * to the outbox — all in the caller's transaction, so all or none of them commit. Because the order row is
 * written (and so locked) before anything is appended, outbox rows of one order are inserted in commit
 * order, which the relay's per-aggregate ordering relies on. Callers that append other events of an order
 * without changing it call {@link #lock} first for the same reason.
 */
@Component
@Transactional(propagation = Propagation.MANDATORY)
public class OrderChanges {

    private final FleetOrderRepository orders;
    private final OrderHistoryRepository history;
    private final OutboxWriter outbox;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final ObjectProvider<OrderTransitionListener> listeners;

    OrderChanges(
            FleetOrderRepository orders,
            OrderHistoryRepository history,
            OutboxWriter outbox,
            ObjectMapper mapper,
            Clock clock,
            ObjectProvider<OrderTransitionListener> listeners) {
        this.orders = orders;
        this.history = history;
        this.outbox = outbox;
        this.mapper = mapper;
        this.clock = clock;
        this.listeners = listeners;
    }

    /** Inserts a new order, its history and its first state event. */
    public OrderSnapshot create(String orderId) {
        if (orders.existsById(orderId)) {
            throw new OrderExistsException(orderId);
        }
        FleetOrder order = orders.saveAndFlush(FleetOrder.create(orderId, clock.instant()));
        CrashPoints.hit(CrashPoints.ORDER_AFTER_STATE_CHANGE);
        return recorded(order, order.creation());
    }

    /**
     * Applies {@code transition} to the order.
     *
     * @param expectedVersion the versions the caller accepts ({@code If-Match}), or {@code null} to let the state
     *     machine decide
     * @throws OrderNotFoundException when there is no such order
     * @throws OrderVersionMismatchException when the order is at another version than expected
     * @throws IllegalTransitionException when the order's status does not allow the transition
     * @throws org.springframework.dao.OptimisticLockingFailureException when a concurrent writer changed the
     *     order first; the caller's transaction must be retried as a whole
     */
    public OrderSnapshot apply(
            String orderId,
            ExpectedVersion expectedVersion,
            BiFunction<FleetOrder, Instant, OrderTransition> transition) {
        FleetOrder order = orders.findById(orderId).orElseThrow(() -> new OrderNotFoundException(orderId));
        if (expectedVersion != null && !expectedVersion.matches(order.version())) {
            throw new OrderVersionMismatchException(orderId, expectedVersion, order);
        }
        OrderTransition made = transition.apply(order, clock.instant());
        orders.flush();
        // the order row is written, its history and outbox rows not yet (fault harness only)
        CrashPoints.hit(CrashPoints.ORDER_AFTER_STATE_CHANGE);
        return recorded(order, made);
    }

    /**
     * Locks the order's row until the caller's transaction ends and returns its current state; for callers
     * that append events of the order without changing it.
     */
    public OrderSnapshot lock(String orderId) {
        return OrderSnapshot.of(orders.findLocked(orderId).orElseThrow(() -> new OrderNotFoundException(orderId)));
    }

    private OrderSnapshot recorded(FleetOrder order, OrderTransition transition) {
        history.save(new OrderHistoryEntry(order.id(), order.version(), transition));
        OrderSnapshot snapshot = OrderSnapshot.of(order);
        OrderStateChanged state =
                new OrderStateChanged(order.id(), order.taskId(), order.status().name(), order.version());
        outbox.append(
                OrderTopics.ORDER_EVENTS,
                EventEnvelope.of(
                        OrderStateChanged.TYPE,
                        OrderStateChanged.AGGREGATE_TYPE,
                        order.id(),
                        order.version(),
                        json(state)));
        listeners.orderedStream().forEach(listener -> listener.transitioned(snapshot, transition));
        return snapshot;
    }

    private String json(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise " + payload, e);
        }
    }
}
