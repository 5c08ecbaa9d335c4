package io.fleetsaga.assignment.task;

import java.util.EnumSet;
import java.util.Set;

/** Status of a fleet order as order-service publishes it (docs/contracts.md); links mirror it. */
public enum OrderStatus {
    CREATED,
    ASSIGNMENT_PENDING,
    ASSIGNED,
    DELIVERING,
    DELIVERED,
    ON_HOLD,
    RECEIVED,
    CANCELLED;

    private static final Set<OrderStatus> ON_TASK = EnumSet.of(ASSIGNED, DELIVERING, DELIVERED, ON_HOLD);

    /**
     * Whether an order in this status that names a task is on that task. {@link #ASSIGNMENT_PENDING} is not:
     * only an accepted assignment command links a pending order.
     */
    public boolean isOnTask() {
        return ON_TASK.contains(this);
    }

    /** The statuses a link can mirror, in workflow order. */
    public static Set<OrderStatus> linkable() {
        EnumSet<OrderStatus> linkable = EnumSet.copyOf(ON_TASK);
        linkable.add(ASSIGNMENT_PENDING);
        return linkable;
    }
}
