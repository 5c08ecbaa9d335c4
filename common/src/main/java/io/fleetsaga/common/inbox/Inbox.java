package io.fleetsaga.common.inbox;

import io.fleetsaga.common.chaos.CrashPoints;
import io.fleetsaga.common.event.EventEnvelope;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The idempotent-consumer inbox ({@code inbox_message}).
 *
 * <p><b>Guarantee:</b> for one {@code (consumer, messageId)} the handler's effect commits at most once.
 * The inbox record is inserted in the <em>same</em> transaction as the handler's effect, under a unique
 * key: a redelivered message finds the key taken and is skipped; a handler that fails rolls back both
 * the effect and the record, so the message is processed again on redelivery. Concurrent deliveries of
 * the same message serialise on the key: the second waits for the first and then sees a duplicate (or,
 * if the first rolled back, processes it).
 *
 * <p>The transaction boundary is explicit ({@link TransactionTemplate}), not an annotation that a call
 * through {@code this} could bypass.
 */
public final class Inbox {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final List<InboxListener> listeners;

    public Inbox(DataSource dataSource, PlatformTransactionManager transactionManager, List<InboxListener> listeners) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(transactionManager);
        this.transaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Runs {@code handler} in a new transaction together with the inbox record of {@code messageId}, unless
     * the message was processed before.
     *
     * @return {@link InboxResult#PROCESSED} or {@link InboxResult#DUPLICATE}
     * @throws RuntimeException whatever the handler threw; nothing was committed then
     */
    public InboxResult process(String consumer, UUID messageId, Runnable handler) {
        return process(consumer, messageId, () -> {
                    handler.run();
                    return InboxResult.PROCESSED;
                })
                .orElse(InboxResult.DUPLICATE);
    }

    /**
     * Like {@link #process(String, UUID, Runnable)} but returns the handler's result, or empty for a
     * duplicate (and for a handler that returned {@code null}).
     */
    public <T> Optional<T> process(String consumer, UUID messageId, Supplier<T> handler) {
        return process(consumer, messageId, null, handler);
    }

    /**
     * Like {@link #process(String, UUID, Runnable)} for an event: also reports to the listeners how long after it
     * occurred (in the writer's transaction, {@link EventEnvelope#occurredAt()}) its effect committed here — the
     * propagation time, {@code inbox_propagation_seconds}.
     */
    public InboxResult process(String consumer, EventEnvelope event, Runnable handler) {
        return process(consumer, event.eventId(), event.occurredAt(), () -> {
                    handler.run();
                    return InboxResult.PROCESSED;
                })
                .orElse(InboxResult.DUPLICATE);
    }

    /** Like {@link #process(String, UUID, Supplier)} for an event, reporting its propagation time (see above). */
    public <T> Optional<T> process(String consumer, EventEnvelope event, Supplier<T> handler) {
        return process(consumer, event.eventId(), event.occurredAt(), handler);
    }

    private <T> Optional<T> process(String consumer, UUID messageId, Instant occurredAt, Supplier<T> handler) {
        AtomicReference<T> result = new AtomicReference<>();
        boolean processed = Boolean.TRUE.equals(transaction.execute(status -> {
            try {
                jdbc.update(
                        "INSERT INTO inbox_message (consumer, message_id, processed_at) VALUES (?, ?, UTC_TIMESTAMP(6))",
                        consumer,
                        messageId.toString());
            } catch (DuplicateKeyException duplicate) {
                status.setRollbackOnly();
                return Boolean.FALSE;
            }
            result.set(handler.get());
            return Boolean.TRUE;
        }));
        if (!processed) {
            listeners.forEach(l -> l.duplicate(consumer, messageId));
            return Optional.empty();
        }
        // committed, the listener has not returned: the offset is not committed (fault harness only)
        CrashPoints.hit(CrashPoints.INBOX_AFTER_COMMIT);
        listeners.forEach(l -> l.processed(consumer, messageId));
        if (occurredAt != null) {
            Duration propagation = Duration.between(occurredAt, Instant.now());
            listeners.forEach(l -> l.propagated(consumer, messageId, propagation));
        }
        return Optional.ofNullable(result.get());
    }

    /** Whether {@code messageId} was processed by {@code consumer} (and not yet cleaned up). */
    public boolean isProcessed(String consumer, UUID messageId) {
        Integer count = jdbc.queryForObject(
                "SELECT COUNT(*) FROM inbox_message WHERE consumer = ? AND message_id = ?",
                Integer.class,
                consumer,
                messageId.toString());
        return count != null && count > 0;
    }

    /**
     * Deletes inbox records older than {@code retention}. A message redelivered after that is processed
     * again, so handlers must also guard by version (the per-aggregate version guard does).
     */
    public int deleteOlderThan(Duration retention, int chunk) {
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.update(
                    "DELETE FROM inbox_message WHERE processed_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND LIMIT ?",
                    retention.toSeconds(),
                    chunk);
            total += deleted;
        } while (deleted == chunk);
        return total;
    }
}
