package io.fleetsaga.common.outbox;

import io.fleetsaga.common.event.EventEnvelope;

/**
 * Appends events to the transactional outbox.
 *
 * <p><b>Guarantee:</b> the row is written in the caller's transaction, so the event exists if and only if
 * the business change that caused it commits. There is no other way to publish: a request thread never
 * talks to Kafka. Calling {@link #append} without an active read-write transaction on the outbox's
 * data source is a programming error (for example a {@code @Transactional} method reached through
 * {@code this}, incident I-3) and fails with {@link org.springframework.transaction.IllegalTransactionStateException}
 * instead of silently writing outside the business transaction.
 */
public interface OutboxWriter {

    /**
     * Records {@code envelope} for publication to {@code topic}, keyed by its aggregate id.
     *
     * @throws org.springframework.transaction.IllegalTransactionStateException when no transaction is active
     */
    void append(String topic, EventEnvelope envelope);
}
