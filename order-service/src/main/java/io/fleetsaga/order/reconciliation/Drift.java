package io.fleetsaga.order.reconciliation;

import java.util.Objects;

/**
 * One confirmed difference.
 *
 * @param orderId the affected order ({@code null} for a counter mismatch)
 * @param taskId the task concerned (the order's task, else the link's; the task of a counter mismatch)
 * @param expected what order-service holds (or the counters the links imply)
 * @param actual what assignment-service holds
 * @param repair what a repair run did, {@code null} in a dry run
 * @param repairDetail why a repair was skipped or failed
 */
public record Drift(
        DriftType type,
        String orderId,
        String taskId,
        String expected,
        String actual,
        RepairResult repair,
        String repairDetail) {

    public Drift {
        Objects.requireNonNull(type, "type");
    }

    static Drift of(DriftType type, String orderId, String taskId, String expected, String actual) {
        return new Drift(type, orderId, taskId, expected, actual, null, null);
    }

    Drift repaired(RepairResult result, String detail) {
        return new Drift(type, orderId, taskId, expected, actual, result, detail);
    }
}
