package io.fleetsaga.order.reconciliation;

import java.util.Objects;

/**
 * What both services must agree on for an order that is on a task: the task, the order's status and its version.
 * order-service holds the truth; assignment-service's link row must mirror it.
 */
public record OrderFact(String orderId, String taskId, String status, long version) {

    public OrderFact {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(status, "status");
    }

    /** {@code task-7/DELIVERED@v4}, for reports. */
    String describe() {
        return taskId + "/" + status + "@v" + version;
    }
}
