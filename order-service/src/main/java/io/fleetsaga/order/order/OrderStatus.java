package io.fleetsaga.order.order;

/** Life cycle of a fleet order (see ARCHITECTURE.md and docs/contracts.md). */
public enum OrderStatus {
    CREATED,
    ASSIGNMENT_PENDING,
    ASSIGNED,
    DELIVERING,
    DELIVERED,
    ON_HOLD,
    RECEIVED,
    CANCELLED;

    /** Whether no transition leaves this status. */
    public boolean isTerminal() {
        return this == DELIVERED || this == CANCELLED;
    }
}
