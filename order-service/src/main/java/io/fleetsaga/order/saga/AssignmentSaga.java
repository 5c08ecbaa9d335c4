package io.fleetsaga.order.saga;

import java.time.Instant;
import java.util.UUID;

/**
 * One "assign order" saga, as stored in {@code assignment_saga}.
 *
 * @param orderVersion the order's version when the saga started (ASSIGNMENT_PENDING), sent with each command
 * @param attempts commands sent so far (the first one included)
 * @param deadlineAt when the current attempt times out
 * @param reason why the saga was compensated or gave up
 */
public record AssignmentSaga(
        UUID id,
        String orderId,
        String taskId,
        long orderVersion,
        SagaStatus status,
        int attempts,
        Instant deadlineAt,
        String reason,
        Instant createdAt,
        Instant updatedAt) {}
