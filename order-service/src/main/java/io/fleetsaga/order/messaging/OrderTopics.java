package io.fleetsaga.order.messaging;

/** Every topic order-service publishes to or consumes from, in one place. */
public final class OrderTopics {

    /** Current state of a fleet order after each change; key = order id. */
    public static final String ORDER_EVENTS = "fleet.order.events";

    /** Replies and events of assignment-service; key = order id. */
    public static final String ASSIGNMENT_EVENTS = "fleet.assignment.events";

    private OrderTopics() {}
}
