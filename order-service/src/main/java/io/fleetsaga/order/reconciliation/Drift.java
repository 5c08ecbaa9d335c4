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
 * @param parked the parked event that holds the order back ({@link DriftType#BLOCKED} only, else {@code null})
 */
public record Drift(
        DriftType type,
        String orderId,
        String taskId,
        String expected,
        String actual,
        RepairResult repair,
        String repairDetail,
        ParkedHead parked) {

    public Drift {
        Objects.requireNonNull(type, "type");
    }

    static Drift of(DriftType type, String orderId, String taskId, String expected, String actual) {
        return new Drift(type, orderId, taskId, expected, actual, null, null, null);
    }

    /** An order held back by {@code head}; {@code expected} is its current state (what cannot be published). */
    static Drift blocked(String orderId, String taskId, String expected, ParkedHead head) {
        return new Drift(DriftType.BLOCKED, orderId, taskId, expected, head.describe(), null, null, head);
    }

    Drift repaired(RepairResult result, String detail) {
        return new Drift(type, orderId, taskId, expected, actual, result, detail, parked);
    }
}
