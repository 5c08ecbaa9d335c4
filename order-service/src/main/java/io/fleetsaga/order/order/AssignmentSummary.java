package io.fleetsaga.order.order;

import java.time.Instant;

/**
 * The latest "assign order" saga of an order, as shown with the order.
 *
 * @param status {@code STARTED}, {@code CONFIRMED}, {@code COMPENSATED} or {@code STUCK}
 * @param attempts commands sent so far
 * @param deadlineAt when the current attempt times out (meaningful while {@code STARTED})
 */
public record AssignmentSummary(
        String sagaId,
        String taskId,
        String status,
        int attempts,
        Instant deadlineAt,
        String reason,
        Instant createdAt,
        Instant updatedAt) {}
