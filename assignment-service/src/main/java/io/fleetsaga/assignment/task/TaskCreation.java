package io.fleetsaga.assignment.task;

/** The outcome of creating a task. */
public sealed interface TaskCreation {

    /** The task was created. */
    record Created(TaskOverview task) implements TaskCreation {}

    /** A task with this id and the same courier and capacity existed already: a repeated request, no change. */
    record AlreadyExists(TaskOverview task) implements TaskCreation {}

    /** A different task has this id; nothing changed. */
    record Conflict(AssignmentTask existing) implements TaskCreation {}
}
