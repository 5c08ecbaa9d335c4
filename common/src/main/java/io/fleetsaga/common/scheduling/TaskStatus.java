package io.fleetsaga.common.scheduling;

import java.time.Duration;
import java.time.Instant;

/**
 * One background loop's progress at one moment.
 *
 * @param task the loop's name, e.g. {@code outbox-relay-kafka}, {@code kafka-listener-order-events}
 * @param age since its last completed cycle (or since it started, when none completed yet)
 * @param bound how long it may go without completing a cycle before it counts as stalled
 * @param lastCompletedAt when its last cycle completed; {@code null} if none since it started
 */
public record TaskStatus(String task, Duration age, Duration bound, Instant lastCompletedAt) {

    /** Has not completed a cycle within its bound. */
    public boolean stalled() {
        return age.compareTo(bound) > 0;
    }

    TaskStatus withBound(Duration other) {
        return new TaskStatus(task, age, other, lastCompletedAt);
    }
}
