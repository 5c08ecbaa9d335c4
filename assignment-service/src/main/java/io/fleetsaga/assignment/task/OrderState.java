package io.fleetsaga.assignment.task;

import java.util.Objects;

/**
 * An order's current state as order-service published it: the truth assignment-service converges to.
 *
 * @param orderId the order
 * @param taskId the task the order is (or is to be) on, or {@code null}
 * @param status the order's status
 * @param version the order's version after the change; a state is applied only if newer than the one held
 */
public record OrderState(String orderId, String taskId, OrderStatus status, long version) {

    public OrderState {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(status, "status");
    }
}
