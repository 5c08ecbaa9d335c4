package io.fleetsaga.assignment.messaging;

/** {@code AssignmentRejected} on {@code fleet.assignment.events}: the command was refused. */
record AssignmentRejected(String sagaId, String orderId, String taskId, String reason, String detail) {

    static final String TYPE = "AssignmentRejected";
}
