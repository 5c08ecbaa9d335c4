package io.fleetsaga.assignment.reconciliation;

/**
 * A task whose counters differ from what its links imply.
 *
 * @param assignedCount {@code assigned_count} as stored
 * @param expectedAssigned what the task's links add up to (one per link)
 * @param deliveredCount {@code delivered_count} as stored
 * @param expectedDelivered what the task's links add up to (one per DELIVERED link)
 */
public record CounterMismatch(
        String taskId, int assignedCount, int expectedAssigned, int deliveredCount, int expectedDelivered) {}
