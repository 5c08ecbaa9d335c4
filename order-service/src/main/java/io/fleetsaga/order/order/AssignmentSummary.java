package io.fleetsaga.order.order;

import jakarta.annotation.Nullable;
import java.time.Instant;

/**
 * The latest "assign order" saga of an order, as shown with the order.
 *
 * @param status {@code STARTED}, {@code CONFIRMED}, {@code COMPENSATED} or {@code STUCK}
 * @param attempts commands sent so far
 * @param deadlineAt when the current attempt times out: its wait after the broker acknowledged its command; {@code
 *     null} when the saga has ended or its command is still in the outbox (no deadline runs then)
 * @param command where the current attempt's command is: {@code IN_OUTBOX} (waiting for the broker), {@code PARKED}
 *     (blocked until ops requeue it), {@code SENT} or {@code UNTRACKED} (no longer in the outbox)
 */
public record AssignmentSummary(
        String sagaId,
        String taskId,
        String status,
        int attempts,
        @Nullable Instant deadlineAt,
        String command,
        @Nullable String reason,
        Instant createdAt,
        Instant updatedAt) {}
