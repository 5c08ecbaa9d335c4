package io.fleetsaga.assignment.task;

import java.util.Objects;

/**
 * An order joined or left a task — what the task's courier is told about. Caused by an accepted assignment
 * command, a repair link from the order's state, a release, or a move to another task (which is one
 * {@link Change#ORDER_REMOVED} from the old task and one {@link Change#ORDER_ADDED} to the new one). A status
 * change of an order that stays on its task is not a membership change.
 *
 * @param orderStatus the order's status after the change (for a removal, the status that released or moved it)
 * @param orderVersion the order version that caused the change
 */
public record TaskMembershipChange(
        Change change, String courierId, String taskId, String orderId, OrderStatus orderStatus, long orderVersion) {

    public enum Change {
        ORDER_ADDED,
        ORDER_REMOVED
    }

    public TaskMembershipChange {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(courierId, "courierId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(orderStatus, "orderStatus");
    }
}
