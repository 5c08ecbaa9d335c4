package io.fleetsaga.assignment.messaging;

/** Every topic assignment-service publishes to or consumes from, in one place. */
public final class AssignmentTopics {

    /** Current state of fleet orders, published by order-service; key = order id. */
    public static final String ORDER_EVENTS = "fleet.order.events";

    /** Replies and events of assignment-service; key = order id. */
    public static final String ASSIGNMENT_EVENTS = "fleet.assignment.events";

    /** The aggregate type of every message on both topics: they are all about one fleet order. */
    public static final String FLEET_ORDER = "FleetOrder";

    /** The consumer name under which order events are deduplicated in the inbox. */
    public static final String ORDER_EVENTS_CONSUMER = "assignment-service.order-events";

    private AssignmentTopics() {}
}
