package io.fleetsaga.assignment.messaging;

import io.fleetsaga.common.outbox.http.WebhookTopics;

/** Every topic assignment-service publishes to or consumes from, in one place. */
public final class AssignmentTopics {

    /** Current state of fleet orders, published by order-service; key = order id. */
    public static final String ORDER_EVENTS = "fleet.order.events";

    /** Replies and events of assignment-service; key = order id. */
    public static final String ASSIGNMENT_EVENTS = "fleet.assignment.events";

    /** The aggregate type of every message on both topics: they are all about one fleet order. */
    public static final String FLEET_ORDER = "FleetOrder";

    /** Logical name of the courier app's webhook; its URL is {@code fleetsaga.outbox.webhooks.courier.url}. */
    public static final String COURIER_ENDPOINT = "courier";

    /** Outbox topic of courier notifications: POSTed to the courier webhook by the relay, never to Kafka. */
    public static final String COURIER_WEBHOOK = WebhookTopics.PREFIX + COURIER_ENDPOINT;

    /**
     * The aggregate type of courier notifications (aggregate id = order id): their own ordering key, so a failing
     * receiver holds back only the order's later notifications, never its {@value #FLEET_ORDER} events.
     */
    public static final String COURIER_NOTIFICATION = "CourierNotification";

    /** The consumer name under which order events are deduplicated in the inbox. */
    public static final String ORDER_EVENTS_CONSUMER = "assignment-service.order-events";

    private AssignmentTopics() {}
}
