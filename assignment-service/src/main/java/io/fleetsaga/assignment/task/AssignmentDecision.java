package io.fleetsaga.assignment.task;

import java.util.List;

/** The outcome of an "assign order" command; the messaging adapter turns it into the reply. */
public sealed interface AssignmentDecision {

    String orderId();

    String taskId();

    /** The order joined a task by this decision (one entry), or nothing changed on any task (none). */
    default List<TaskMembershipChange> membershipChanges() {
        return List.of();
    }

    /**
     * The order is on the task.
     *
     * @param again the order had been linked to this task before (a retried command): nothing was counted
     * @param membershipChanges the order joining the task; empty when {@code again}
     */
    record Linked(String orderId, String taskId, boolean again, List<TaskMembershipChange> membershipChanges)
            implements AssignmentDecision {

        public Linked {
            membershipChanges = List.copyOf(membershipChanges);
        }
    }

    /** The command was refused; nothing changed on any task. */
    record Rejected(String orderId, String taskId, RejectionReason reason, String detail)
            implements AssignmentDecision {}

    /**
     * The command is older than the order state already applied (for example the order was cancelled or
     * compensated meanwhile) and the order is on no task: nothing was linked and no reply is due, because
     * order-service has resolved that saga by moving the order on.
     *
     * @param heldVersion the order version assignment-service holds
     * @param commandVersion the order version the command was issued for
     */
    record Superseded(String orderId, String taskId, long heldVersion, long commandVersion)
            implements AssignmentDecision {}
}
