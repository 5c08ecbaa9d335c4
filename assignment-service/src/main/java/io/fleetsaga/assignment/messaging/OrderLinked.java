package io.fleetsaga.assignment.messaging;

/** {@code OrderLinked} on {@code fleet.assignment.events}: the command was accepted (now or before). */
record OrderLinked(String sagaId, String orderId, String taskId) {

    static final String TYPE = "OrderLinked";
}
