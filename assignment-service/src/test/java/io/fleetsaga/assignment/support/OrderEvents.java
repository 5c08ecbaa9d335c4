package io.fleetsaga.assignment.support;

import io.fleetsaga.common.event.EventEnvelope;

/** Messages of fleet.order.events as order-service publishes them (docs/contracts.md). */
public final class OrderEvents {

    private OrderEvents() {}

    public static EventEnvelope state(String orderId, String taskId, String status, long version) {
        return EventEnvelope.of(
                "OrderStateChanged",
                "FleetOrder",
                orderId,
                version,
                "{\"orderId\":\"" + orderId + "\",\"taskId\":" + (taskId == null ? "null" : "\"" + taskId + "\"")
                        + ",\"status\":\"" + status + "\",\"version\":" + version + "}");
    }

    public static EventEnvelope assign(String sagaId, String orderId, String taskId, long orderVersion) {
        return EventEnvelope.of(
                "AssignOrderRequested",
                "FleetOrder",
                orderId,
                orderVersion,
                "{\"sagaId\":\"" + sagaId + "\",\"orderId\":\"" + orderId + "\",\"taskId\":\"" + taskId
                        + "\",\"orderVersion\":" + orderVersion + "}");
    }
}
