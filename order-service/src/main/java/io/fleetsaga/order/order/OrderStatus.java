package io.fleetsaga.order.order;

/** Life cycle of a fleet order (see ARCHITECTURE.md). */
public enum OrderStatus {
    CREATED,
    ASSIGNMENT_PENDING,
    ASSIGNED,
    DELIVERING,
    DELIVERED,
    ON_HOLD,
    RECEIVED,
    CANCELLED
}
