package io.fleetsaga.assignment.messaging;

/** {@code AssignOrderRequested} on {@code fleet.order.events}: the saga asks to link an order to a task. */
record AssignOrderRequested(String sagaId, String orderId, String taskId, Long orderVersion) {

    static final String TYPE = "AssignOrderRequested";
}
