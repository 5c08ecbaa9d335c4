package io.fleetsaga.common.outbox;

import io.fleetsaga.common.event.EventEnvelope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The outbox table ({@code outbox_event}) on a MySQL-compatible database.
 *
 * <p>All times come from the database clock ({@code UTC_TIMESTAMP(6)}) so that several relay instances
 * agree on what is due, whatever their own clocks say.
 *
 * <p><b>Claiming.</b> A relay claims a batch in a short {@code READ COMMITTED} transaction with
 * {@code SELECT … FOR UPDATE SKIP LOCKED LIMIT n}: concurrent relays skip each other's rows instead of
 * waiting for them. A claimed row gets the claimer's token, one more attempt and a {@code next_attempt_at}
 * one claim timeout ahead, then the transaction commits; publishing happens outside any transaction. A
 * relay that dies mid-publish simply lets the claim expire and the row becomes due again.
 *
 * <p><b>Per-aggregate order.</b> Only the <em>head</em> of an aggregate — its oldest row that is not
 * yet sent — can be claimed. A row waiting for a retry, claimed by another relay or parked therefore
 * blocks the later rows of the same aggregate, and an aggregate's later event is never published
 * before its earlier one, also across retries and across relay instances. Rows of one aggregate are
 * inserted in commit order because the business change that causes them updates the aggregate's row
 * first (its version), which serialises writers of the same aggregate.
 *
 * <p><b>Cost.</b> The claim reads the pending rows in id order on {@code ix_outbox_event_claim (status, id,
 * next_attempt_at)} and checks each candidate's aggregate for an older unsent row on {@code
 * ix_outbox_event_aggregate (aggregate_type, aggregate_id, status, id)}: it never reads SENT rows, so its cost does
 * not grow with the sent rows the retention keeps (docs/benchmarks.md, "Relay against peers"). "Unsent" is one
 * lookup per unsent status ({@link #OLDER_UNSENT_ROW_ABSENT}), not {@code <> 'SENT'}, so that each is an index range.
 * The index is forced: on a table of mostly SENT rows an optimizer that prefers the primary key for {@code ORDER BY id
 * LIMIT n} walks all of them.
 *
 * <p><b>Wake-up.</b> An append registers an after-commit callback that tells this instance's relays a row is
 * due ({@link #onCommittedAppend}): commit → publish does not wait for the relay's next poll.
 */
public final class JdbcOutboxStore {

    private static final String COLUMNS =
            "o.id, o.event_id, o.topic, o.aggregate_type, o.aggregate_id, o.aggregate_version, o.event_type,"
                    + " o.occurred_at, o.traceparent, o.payload, o.attempts";

    private static final int MAX_ERROR_LENGTH = 2000;

    /**
     * No older pending or parked row of the candidate's ({@code o}) aggregate: one lookup per status, each an index
     * range on {@code (aggregate_type, aggregate_id, status, id)} (one {@code status IN (…)} lookup uses only the
     * aggregate part of the key and reads the aggregate's whole history).
     */
    public static final String OLDER_UNSENT_ROW_ABSENT = olderRowAbsent("PENDING") + olderRowAbsent("PARKED");

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate claimTransaction;
    private final TransactionTemplate writeTransaction;
    private final List<Consumer<String>> appendListeners = new CopyOnWriteArrayList<>();

    public JdbcOutboxStore(DataSource dataSource, PlatformTransactionManager transactionManager) {
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.claimTransaction = new TransactionTemplate(transactionManager);
        this.claimTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.claimTransaction.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
        this.writeTransaction = new TransactionTemplate(transactionManager);
        this.writeTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Inserts a pending row; requires an active read-write transaction bound to this data source. */
    public void append(String topic, EventEnvelope envelope) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        if (!TransactionSynchronizationManager.isActualTransactionActive()
                || !TransactionSynchronizationManager.hasResource(dataSource)) {
            throw new IllegalTransactionStateException("Outbox append of " + envelope.type() + " for "
                    + envelope.aggregateType() + " " + envelope.aggregateId()
                    + " requires an active transaction on the outbox data source: the event must commit"
                    + " or roll back with the change that caused it. Is the @Transactional method reached"
                    + " through 'this' (no proxy)?");
        }
        if (TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
            throw new IllegalTransactionStateException("Outbox append requires a read-write transaction");
        }
        jdbc.update(
                "INSERT INTO outbox_event (event_id, topic, aggregate_type, aggregate_id, aggregate_version,"
                        + " event_type, occurred_at, traceparent, payload, status, attempts, created_at,"
                        + " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', 0,"
                        + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                envelope.eventId().toString(),
                topic,
                envelope.aggregateType(),
                envelope.aggregateId(),
                envelope.aggregateVersion(),
                envelope.type(),
                toUtc(envelope.occurredAt()),
                envelope.traceparent(),
                envelope.payload());
        if (!appendListeners.isEmpty()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    committedAppend(topic);
                }
            });
        }
    }

    /**
     * Calls {@code listener} with the topic of every row appended through this store, once the transaction that
     * appended it has committed (on the committing thread: the listener must be quick and must not throw). Rows
     * appended by other instances or other processes are not seen: the relay's poll finds those.
     */
    public void onCommittedAppend(Consumer<String> listener) {
        appendListeners.add(listener);
    }

    private void committedAppend(String topic) {
        for (Consumer<String> listener : appendListeners) {
            try {
                listener.accept(topic);
            } catch (RuntimeException e) {
                // the row is committed; at worst it waits for the next poll
            }
        }
    }

    /**
     * Claims up to {@code limit} due head rows for the given claim token, in id order.
     *
     * @return the claimed rows, each with its attempt number
     */
    public List<OutboxRecord> claim(String claimToken, int limit, Duration claimTimeout) {
        return claim(claimToken, limit, claimTimeout, OutboxLane.ALL);
    }

    /** Like {@link #claim(String, int, Duration)}, restricted to the rows of one {@link OutboxLane}. */
    public List<OutboxRecord> claim(String claimToken, int limit, Duration claimTimeout, OutboxLane lane) {
        Object[] args = lane.topicPrefix() == null ? new Object[] {limit} : new Object[] {lane.likePattern(), limit};
        return claimTransaction.execute(status -> {
            List<OutboxRecord> locked = jdbc.query(
                    "SELECT " + COLUMNS + " FROM outbox_event o FORCE INDEX (ix_outbox_event_claim)"
                            + " WHERE o.status = 'PENDING' AND o.next_attempt_at <= UTC_TIMESTAMP(6)"
                            + lane.condition()
                            + OLDER_UNSENT_ROW_ABSENT
                            + " ORDER BY o.id LIMIT ? FOR UPDATE SKIP LOCKED",
                    RECORD,
                    args);
            if (locked.isEmpty()) {
                return List.of();
            }
            List<OutboxRecord> heads = keepHeads(locked);
            if (heads.isEmpty()) {
                return List.of();
            }
            String ids = heads.stream().map(r -> Long.toString(r.id())).collect(Collectors.joining(","));
            jdbc.update(
                    "UPDATE outbox_event SET claim_token = ?, attempts = attempts + 1,"
                            + " next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHERE id IN (" + ids
                            + ")",
                    claimToken,
                    micros(claimTimeout));
            return heads.stream()
                    .map(r -> new OutboxRecord(r.id(), r.topic(), r.envelope(), r.attempt() + 1))
                    .toList();
        });
    }

    /**
     * Defence in depth for the ordering guarantee: re-reads, without locks, the oldest unsent row of each
     * aggregate in the batch and keeps only rows that are that head. The claim query already filters
     * non-heads; this guards against an engine that evaluates the subquery of a locking read with
     * SKIP LOCKED semantics (and would then not see a row another relay holds).
     */
    private List<OutboxRecord> keepHeads(List<OutboxRecord> locked) {
        Map<String, Long> heads = new HashMap<>();
        List<Object> args = new ArrayList<>();
        StringBuilder in = new StringBuilder();
        locked.stream()
                .map(r -> List.of(r.envelope().aggregateType(), r.envelope().aggregateId()))
                .distinct()
                .forEach(key -> {
                    in.append(in.isEmpty() ? "" : ",").append("(?, ?)");
                    args.addAll(key);
                });
        jdbc.query(
                "SELECT aggregate_type, aggregate_id, MIN(id) FROM outbox_event"
                        + " WHERE status IN ('PENDING', 'PARKED') AND (aggregate_type, aggregate_id) IN (" + in + ")"
                        + " GROUP BY aggregate_type, aggregate_id",
                rs -> {
                    heads.put(aggregateKey(rs.getString(1), rs.getString(2)), rs.getLong(3));
                },
                args.toArray());
        return locked.stream()
                .filter(r -> Long.valueOf(r.id())
                        .equals(heads.get(aggregateKey(
                                r.envelope().aggregateType(), r.envelope().aggregateId()))))
                .toList();
    }

    /** Marks rows sent, but only those still claimed by {@code claimToken}; returns how many were. */
    public int markSent(String claimToken, Collection<Long> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        return writeTransaction.execute(status -> jdbc.update(
                "UPDATE outbox_event SET status = 'SENT', sent_at = UTC_TIMESTAMP(6), claim_token = NULL,"
                        + " last_error = NULL, failure_kind = NULL, failure_reason = NULL"
                        + " WHERE claim_token = ? AND status = 'PENDING' AND id IN (" + in + ")",
                claimToken));
    }

    /**
     * Records a failed attempt that counts against the row: schedules it again after {@code retryIn}, or parks it.
     *
     * @return whether the row was still claimed by {@code claimToken}
     */
    public boolean markFailed(
            String claimToken, long id, String error, PublishFailure failure, Duration retryIn, boolean park) {
        return writeTransaction.execute(status -> jdbc.update(
                        "UPDATE outbox_event SET claim_token = NULL, last_error = ?, failure_kind = ?,"
                                + " failure_reason = ?, next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND,"
                                + " status = ?, parked_at = CASE WHEN ? THEN UTC_TIMESTAMP(6) ELSE NULL END"
                                + " WHERE id = ? AND claim_token = ? AND status = 'PENDING'",
                        truncate(error),
                        failure.kind().name(),
                        failure.reason(),
                        park ? 0 : micros(retryIn),
                        park ? OutboxStatus.PARKED.name() : OutboxStatus.PENDING.name(),
                        park,
                        id,
                        claimToken)
                == 1);
    }

    /**
     * Gives claimed rows back after a transport failure: due at once, their claim's attempt taken back (a transport
     * that is away is no attempt of the record), the error recorded. Only rows still claimed by {@code claimToken}.
     *
     * @return how many rows were given back
     */
    public int release(String claimToken, Collection<Long> ids, String error, String reason) {
        if (ids.isEmpty()) {
            return 0;
        }
        String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        return writeTransaction.execute(status -> jdbc.update(
                "UPDATE outbox_event SET claim_token = NULL, attempts = GREATEST(attempts - 1, 0),"
                        + " next_attempt_at = UTC_TIMESTAMP(6), last_error = ?, failure_kind = ?, failure_reason = ?"
                        + " WHERE claim_token = ? AND status = 'PENDING' AND id IN (" + in + ")",
                truncate(error),
                PublishFailure.Kind.TRANSPORT.name(),
                reason,
                claimToken));
    }

    /** Parked rows, oldest first. */
    public List<ParkedEvent> listParked(int limit) {
        return listParked(ParkedFilter.ALL, 0, limit);
    }

    /**
     * One page of the parked rows matching {@code filter}, in id order: those with an id above {@code afterId}
     * (keyset paging: pass the last id of the previous page, 0 for the first).
     */
    public List<ParkedEvent> listParked(ParkedFilter filter, long afterId, int limit) {
        List<Object> args = new ArrayList<>(filter.arguments());
        args.add(afterId);
        args.add(limit);
        return jdbc.query(
                "SELECT id, event_id, topic, event_type, aggregate_type, aggregate_id, aggregate_version, attempts,"
                        + " last_error, failure_kind, failure_reason, created_at, parked_at FROM outbox_event"
                        + " WHERE status = 'PARKED'" + filter.conditions() + " AND id > ? ORDER BY id LIMIT ?",
                (rs, n) -> new ParkedEvent(
                        rs.getLong("id"),
                        UUID.fromString(rs.getString("event_id")),
                        rs.getString("topic"),
                        rs.getString("event_type"),
                        rs.getString("aggregate_type"),
                        rs.getString("aggregate_id"),
                        rs.getObject("aggregate_version", Long.class),
                        rs.getInt("attempts"),
                        rs.getString("last_error"),
                        rs.getString("failure_kind"),
                        rs.getString("failure_reason"),
                        instant(rs, "created_at"),
                        instant(rs, "parked_at")),
                args.toArray());
    }

    /** Puts a parked event back in line with fresh attempts; false when it is not parked. */
    public boolean requeue(UUID eventId) {
        return writeTransaction.execute(status -> jdbc.update(
                        "UPDATE outbox_event SET status = 'PENDING', attempts = 0, parked_at = NULL,"
                                + " next_attempt_at = UTC_TIMESTAMP(6) WHERE event_id = ? AND status = 'PARKED'",
                        eventId.toString())
                == 1);
    }

    /**
     * Puts up to {@code limit} parked rows matching {@code filter} back in line with fresh attempts, oldest first,
     * in one short transaction; call again while it returns {@code limit} (bounded work per call, no long lock).
     * Each row keeps its place in its aggregate's order.
     *
     * @return how many rows were requeued
     */
    public int requeueParked(ParkedFilter filter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        List<Object> args = new ArrayList<>(filter.arguments());
        args.add(limit);
        return writeTransaction.execute(status -> jdbc.update(
                "UPDATE outbox_event SET status = 'PENDING', attempts = 0, parked_at = NULL,"
                        + " next_attempt_at = UTC_TIMESTAMP(6) WHERE status = 'PARKED'" + filter.conditions()
                        + " ORDER BY id LIMIT ?",
                args.toArray()));
    }

    /** Status of one event, empty when unknown or already cleaned up. */
    public Optional<OutboxStatus> status(UUID eventId) {
        return jdbc
                .query(
                        "SELECT status FROM outbox_event WHERE event_id = ?",
                        (rs, n) -> OutboxStatus.valueOf(rs.getString(1)),
                        eventId.toString())
                .stream()
                .findFirst();
    }

    /** Deletes sent rows older than {@code retention}, in chunks; returns how many were deleted. */
    public int deleteSentBefore(Duration retention, int chunk) {
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.update(
                    "DELETE FROM outbox_event WHERE status = 'SENT'"
                            + " AND sent_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND LIMIT ?",
                    micros(retention),
                    chunk);
            total += deleted;
        } while (deleted == chunk);
        return total;
    }

    /** Counts of pending and parked rows and the age of the oldest pending one. */
    public OutboxStats stats() {
        long[] counts = new long[3];
        jdbc.query(
                "SELECT status, COUNT(*),"
                        + " COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(6)), 0)"
                        + " FROM outbox_event WHERE status IN ('PENDING', 'PARKED') GROUP BY status",
                rs -> {
                    if (OutboxStatus.PENDING.name().equals(rs.getString(1))) {
                        counts[0] = rs.getLong(2);
                        counts[2] = Math.max(0, rs.getLong(3));
                    } else {
                        counts[1] = rs.getLong(2);
                    }
                });
        return new OutboxStats(counts[0], counts[1], Duration.ofNanos(counts[2] * 1000));
    }

    private static final RowMapper<OutboxRecord> RECORD = (rs, n) -> new OutboxRecord(
            rs.getLong("id"),
            rs.getString("topic"),
            new EventEnvelope(
                    UUID.fromString(rs.getString("event_id")),
                    rs.getString("event_type"),
                    rs.getString("aggregate_type"),
                    rs.getString("aggregate_id"),
                    rs.getObject("aggregate_version", Long.class),
                    instant(rs, "occurred_at"),
                    rs.getString("traceparent"),
                    rs.getString("payload")),
            rs.getInt("attempts"));

    private static String olderRowAbsent(String status) {
        return " AND NOT EXISTS (SELECT 1 FROM outbox_event p WHERE p.aggregate_type = o.aggregate_type"
                + " AND p.aggregate_id = o.aggregate_id AND p.status = '" + status + "' AND p.id < o.id)";
    }

    private static String aggregateKey(String type, String id) {
        return type + '\u0000' + id;
    }

    static LocalDateTime toUtc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    private static long micros(Duration duration) {
        return Math.max(0, duration.toNanos() / 1000);
    }

    private static String truncate(String error) {
        if (error == null) {
            return null;
        }
        return error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH);
    }
}
