package io.fleetsaga.assignment.task;

/** Why an assignment command was refused; the names are the contract's (docs/contracts.md). */
public enum RejectionReason {
    TASK_NOT_FOUND,
    TASK_CLOSED,
    TASK_FULL,
    LINKED_TO_OTHER_TASK
}
