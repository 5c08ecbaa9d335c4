package io.fleetsaga.assignment.messaging;

/**
 * {@code OrderStateRepair} on {@code fleet.order.events}: an order's current state, re-published by order-service's
 * reconciliation to repair drift. Same payload as {@link OrderStateChanged}; applied whatever version is held
 * (docs/contracts.md).
 */
record OrderStateRepair(String orderId, String taskId, String status, Long version) {

    static final String TYPE = "OrderStateRepair";
}
