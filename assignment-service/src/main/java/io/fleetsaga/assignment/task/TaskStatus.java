package io.fleetsaga.assignment.task;

/** Lifecycle of an assignment task: an OPEN task accepts new orders, a CLOSED one keeps its links only. */
public enum TaskStatus {
    OPEN,
    CLOSED
}
