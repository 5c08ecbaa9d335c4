package io.fleetsaga.common.outbox;

import java.time.Duration;

/**
 * Hooks the relay calls after each outcome; metrics and tests observe the relay through them.
 * Implementations must be fast and must not throw.
 */
public interface OutboxListener {

    /** The broker acknowledged the record and the row is marked sent. */
    default void published(OutboxRecord record) {}

    /**
     * The attempt failed for a reason that is not recognised ({@link PublishFailure.Kind#UNKNOWN}); the row is
     * scheduled again after {@code retryIn}.
     */
    default void failed(OutboxRecord record, Throwable cause, Duration retryIn) {}

    /**
     * The attempt failed and the row is parked: the failure was the record's ({@link PublishFailure.Kind#RECORD},
     * at its first attempt), or it exhausted its attempts.
     */
    default void parked(OutboxRecord record, Throwable cause) {}

    /**
     * The transport failed ({@link PublishFailure.Kind#TRANSPORT}): the row is back in line with its attempts
     * unchanged, and the lane backs off ({@link #laneChanged}).
     */
    default void deferred(OutboxRecord record, Throwable cause) {}

    /**
     * A relay's lane changed state: created (up), backing off after a transport failure, another failed probe,
     * up again.
     */
    default void laneChanged(OutboxLaneState state) {}
}
