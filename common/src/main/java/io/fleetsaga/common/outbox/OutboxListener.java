package io.fleetsaga.common.outbox;

import java.time.Duration;

/**
 * Hooks the relay calls after each outcome; metrics and tests observe the relay through them.
 * Implementations must be fast and must not throw.
 */
public interface OutboxListener {

    /** The broker acknowledged the record and the row is marked sent. */
    default void published(OutboxRecord record) {}

    /** The attempt failed; the row is scheduled again after {@code retryIn}. */
    default void failed(OutboxRecord record, Throwable cause, Duration retryIn) {}

    /** The attempt failed and the row exhausted its attempts: it is parked. */
    default void parked(OutboxRecord record, Throwable cause) {}
}
