package io.fleetsaga.order.saga;

/**
 * Command of the saga to assignment-service: link the order to the task (docs/contracts.md). Sent again
 * with the same {@code sagaId} when no reply came in time.
 *
 * @param orderVersion the order's version when the saga started
 */
public record AssignOrderRequested(String sagaId, String orderId, String taskId, long orderVersion) {

    public static final String TYPE = "AssignOrderRequested";
}
