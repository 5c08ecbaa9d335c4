package io.fleetsaga.assignment.task;

/** What to add to one task's counters; applied with one atomic increment, never read-modify-write. */
record CounterDelta(String taskId, int assigned, int delivered) {

    boolean isZero() {
        return assigned == 0 && delivered == 0;
    }
}
