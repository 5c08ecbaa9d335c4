package io.fleetsaga.assignment.task;

import java.util.Objects;

/**
 * An order on a task, with the order's mirrored status and the order version it was last updated from.
 * Every link counts once in its task's {@code assigned_count}, and once more in {@code delivered_count}
 * while the order is {@link OrderStatus#DELIVERED}.
 */
public record OrderLink(String orderId, String taskId, OrderStatus status, long orderVersion) {

    public OrderLink {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(status, "status");
    }

    int assignedWeight() {
        return 1;
    }

    int deliveredWeight() {
        return status == OrderStatus.DELIVERED ? 1 : 0;
    }
}
