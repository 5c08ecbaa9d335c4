package io.fleetsaga.assignment.support;

import io.fleetsaga.common.event.EventEnvelope;

/** Messages of fleet.order.events as order-service publishes them (docs/contracts.md). */
public final class OrderEvents {

    private OrderEvents() {}

    public static EventEnvelope state(String orderId, String taskId, String status, long version) {
        return state("OrderStateChanged", orderId, taskId, status, version);
    }

    /** Reconciliation's repair: the order's current state, to be applied whatever version is held. */
    public static EventEnvelope repair(String orderId, String taskId, String status, long version) {
        return state("OrderStateRepair", orderId, taskId, status, version);
    }

    private static EventEnvelope state(String type, String orderId, String taskId, String status, long version) {
        return EventEnvelope.of(
                type,
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
