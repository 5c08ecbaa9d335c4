package io.fleetsaga.order.saga;

import java.util.UUID;

/**
 * Reply of assignment-service: the order was not linked (docs/contracts.md).
 *
 * @param reason {@code TASK_NOT_FOUND}, {@code TASK_CLOSED}, {@code TASK_FULL} or {@code LINKED_TO_OTHER_TASK}
 * @param detail human-readable detail, may be {@code null}
 */
public record AssignmentRejected(UUID sagaId, String orderId, String taskId, String reason, String detail) {

    public static final String TYPE = "AssignmentRejected";

    /** Reason and detail in one line, as kept on the saga and the order. */
    public String describe() {
        return detail == null || detail.isBlank() ? reason : reason + ": " + detail;
    }
}
