package io.fleetsaga.order.order;

import java.time.Instant;

/** An order's state at one version; what leaves the order package instead of the entity. */
public record OrderSnapshot(
        String orderId,
        OrderStatus status,
        String taskId,
        String statusReason,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    static OrderSnapshot of(FleetOrder order) {
        return new OrderSnapshot(
                order.id(),
                order.status(),
                order.taskId(),
                order.statusReason(),
                order.version(),
                order.createdAt(),
                order.updatedAt());
    }
}
