package io.fleetsaga.assignment.reconciliation;

import java.util.Objects;

/**
 * What this service holds about an order on a task — one {@code task_order_link} row — in the shape order-service
 * compares with its own orders: the task, the mirrored status and the order version it was last updated from.
 */
public record LinkFact(String orderId, String taskId, String status, long version) {

    public LinkFact {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(status, "status");
    }
}
