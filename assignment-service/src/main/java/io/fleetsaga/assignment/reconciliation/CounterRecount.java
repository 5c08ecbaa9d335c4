package io.fleetsaga.assignment.reconciliation;

import java.util.Objects;

/**
 * What recomputing one task's counters did.
 *
 * @param found whether the task exists; all counters are zero when it does not
 * @param assignedBefore {@code assigned_count} before, as read under the task row's lock
 * @param assignedAfter {@code assigned_count} after: what the task's links imply
 */
public record CounterRecount(
        String taskId, boolean found, int assignedBefore, int deliveredBefore, int assignedAfter, int deliveredAfter) {

    public CounterRecount {
        Objects.requireNonNull(taskId, "taskId");
    }

    static CounterRecount notFound(String taskId) {
        return new CounterRecount(taskId, false, 0, 0, 0, 0);
    }

    /** Whether the counters were wrong and have been set. */
    public boolean changed() {
        return assignedBefore != assignedAfter || deliveredBefore != deliveredAfter;
    }
}
