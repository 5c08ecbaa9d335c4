package io.fleetsaga.order.messaging;

/** Every topic order-service publishes to or consumes from, and its consumer names, in one place. */
public final class OrderTopics {

    /** Current state of a fleet order after each change, and the saga's commands; key = order id. */
    public static final String ORDER_EVENTS = "fleet.order.events";

    /** Replies and events of assignment-service; key = order id. */
    public static final String ASSIGNMENT_EVENTS = "fleet.assignment.events";

    /** Inbox consumer name of the assignment-events listener (docs/contracts.md). */
    public static final String ASSIGNMENT_EVENTS_CONSUMER = "order-service.assignment-events";

    private OrderTopics() {}
}
