package io.fleetsaga.assignment.messaging;

/** {@code OrderStateChanged} on {@code fleet.order.events}: an order's current state (docs/contracts.md). */
record OrderStateChanged(String orderId, String taskId, String status, Long version) {

    static final String TYPE = "OrderStateChanged";
}
