package io.fleetsaga.order.order;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The order use cases' transactions, one per method; reached only through its proxy from {@link OrderService}.
 * A write ends with its caller's {@code beforeCommit} hook, inside the transaction.
 */
@Component
class OrderTransactions {

    private final OrderChanges changes;
    private final FleetOrderRepository orders;
    private final OrderHistoryRepository history;
    private final ObjectProvider<AssignmentLookup> assignments;

    OrderTransactions(
            OrderChanges changes,
            FleetOrderRepository orders,
            OrderHistoryRepository history,
            ObjectProvider<AssignmentLookup> assignments) {
        this.changes = changes;
        this.orders = orders;
        this.history = history;
        this.assignments = assignments;
    }

    @Transactional
    OrderSnapshot create(String orderId, Consumer<? super OrderSnapshot> beforeCommit) {
        OrderSnapshot created = changes.create(orderId);
        beforeCommit.accept(created);
        return created;
    }

    @Transactional
    OrderSnapshot change(
            String orderId,
            StatusChange change,
            String reason,
            ExpectedVersion expectedVersion,
            Consumer<? super OrderSnapshot> beforeCommit) {
        OrderSnapshot changed =
                changes.apply(orderId, expectedVersion, (order, now) -> change.applyTo(order, reason, now));
        beforeCommit.accept(changed);
        return changed;
    }

    /** Order, saga and history from one snapshot of the database. */
    @Transactional(readOnly = true)
    Optional<OrderDetails> details(String orderId) {
        return orders.findById(orderId).map(order -> {
            List<OrderChange> changes = history.findByOrderIdOrderByVersionAsc(orderId).stream()
                    .map(OrderHistoryEntry::toChange)
                    .toList();
            AssignmentSummary assignment = assignments.stream()
                    .flatMap(lookup -> lookup.latestFor(orderId).stream())
                    .findFirst()
                    .orElse(null);
            return new OrderDetails(OrderSnapshot.of(order), assignment, changes);
        });
    }
}
