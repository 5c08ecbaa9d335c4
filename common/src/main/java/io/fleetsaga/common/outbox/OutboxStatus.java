package io.fleetsaga.common.outbox;

/** Life cycle of an outbox row. */
public enum OutboxStatus {
    /** Waiting to be published (possibly after a failed attempt, at {@code next_attempt_at}). */
    PENDING,
    /** Acknowledged by the broker; removed after the retention period. */
    SENT,
    /** Failed {@code maxAttempts} times; kept, listed and re-queueable, and it blocks later events of its aggregate. */
    PARKED
}
