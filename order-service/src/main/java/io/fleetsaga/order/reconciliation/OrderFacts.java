package io.fleetsaga.order.reconciliation;

import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.reconciliation.BucketDigests;
import io.fleetsaga.common.reconciliation.FactDigestSql;
import io.fleetsaga.order.order.OrderStateChanged;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * order-service's side of the comparison, read from its own tables: a fact for every order that is on a task
 * ({@code task_id} set), digested with the same SQL as assignment-service's links ({@link FactDigestSql}).
 */
@Component
class OrderFacts implements FactSource {

    static final String TABLE = "fleet_order";
    static final String KEY = "id";
    static final List<String> FACT_COLUMNS = List.of("task_id", "status", "version");
    private static final String ON_TASK = "task_id IS NOT NULL";

    /** An order as it is now, on a task or not. */
    record OrderRow(String orderId, String status, String taskId, long version) {

        /** The fact assignment-service must mirror; {@code null} when the order is on no task. */
        OrderFact fact() {
            return taskId == null ? null : new OrderFact(orderId, taskId, status, version);
        }

        String describe() {
            return taskId == null ? status + "@v" + version + ", on no task" : fact().describe();
        }
    }

    private final JdbcTemplate jdbc;

    OrderFacts(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    long count() {
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM fleet_order WHERE " + ON_TASK, Long.class);
        return count == null ? 0 : count;
    }

    @Override
    public BucketDigests digests(int bucketCount) {
        return FactDigestSql.digest(jdbc, TABLE, KEY, FACT_COLUMNS, ON_TASK, bucketCount);
    }

    @Override
    public FactPage page(int bucketCount, int[] buckets, String after, int limit) {
        String condition = FactDigestSql.pageCondition(KEY, bucketCount, buckets, after);
        Object[] args = append(FactDigestSql.pageArgs(after), limit);
        List<OrderFact> facts = jdbc.query(
                "SELECT id, task_id, status, version FROM fleet_order WHERE " + ON_TASK + " AND " + condition
                        + " ORDER BY id LIMIT ?",
                OrderFacts::fact,
                args);
        return new FactPage(
                facts, facts.size() < limit ? null : facts.get(facts.size() - 1).orderId());
    }

    @Override
    public List<OrderFact> byOrderIds(Collection<String> orderIds) {
        return rows(orderIds).values().stream()
                .map(OrderRow::fact)
                .filter(f -> f != null)
                .toList();
    }

    /** The orders among {@code orderIds} that exist, on a task or not. */
    Map<String, OrderRow> rows(Collection<String> orderIds) {
        if (orderIds.isEmpty()) {
            return Map.of();
        }
        Map<String, OrderRow> rows = new HashMap<>();
        jdbc.query(
                "SELECT id, status, task_id, version FROM fleet_order WHERE id IN (" + placeholders(orderIds) + ")",
                (ResultSet rs) -> {
                    rows.put(
                            rs.getString(1),
                            new OrderRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
                },
                orderIds.toArray());
        return rows;
    }

    /** The orders among {@code orderIds} with an event not yet published (pending: in flight, not parked). */
    Set<String> withPendingEvents(Collection<String> orderIds) {
        return outboxAggregates(orderIds, "PENDING");
    }

    /**
     * The orders among {@code orderIds} with an event published less than {@code window} ago (by the database
     * clock): assignment-service may not have consumed it yet.
     */
    Set<String> withEventsSentWithin(Collection<String> orderIds, java.time.Duration window) {
        if (orderIds.isEmpty()) {
            return Set.of();
        }
        List<Object> args = new ArrayList<>(orderIds.size() + 2);
        args.add(OrderStateChanged.AGGREGATE_TYPE);
        args.add(window.toNanos() / 1000);
        args.addAll(orderIds);
        return new HashSet<>(jdbc.queryForList(
                "SELECT DISTINCT aggregate_id FROM outbox_event WHERE aggregate_type = ? AND status = 'SENT'"
                        + " AND sent_at > UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND"
                        + " AND aggregate_id IN (" + placeholders(orderIds) + ")",
                String.class,
                args.toArray()));
    }

    /**
     * The orders among {@code orderIds} whose head — oldest event not yet sent — is parked, with that event. The
     * relay publishes only an order's head, so such an order's later events cannot go out.
     */
    Map<String, ParkedHead> parkedHeads(Collection<String> orderIds) {
        if (orderIds.isEmpty()) {
            return Map.of();
        }
        List<Object> args = new ArrayList<>(orderIds.size() + 1);
        args.add(OrderStateChanged.AGGREGATE_TYPE);
        args.addAll(orderIds);
        Map<String, ParkedHead> heads = new HashMap<>();
        jdbc.query(
                PARKED_HEADS + " AND o.aggregate_id IN (" + placeholders(orderIds) + ")",
                (ResultSet rs) -> {
                    heads.put(rs.getString("aggregate_id"), parkedHead(rs));
                },
                args.toArray());
        return heads;
    }

    /**
     * A page of the orders whose head is parked (every order, in outbox order), after the outbox row {@code afterId}.
     *
     * @return order id → its parked head, in outbox row order; the last row's id continues the paging
     */
    ParkedHeadPage parkedHeads(long afterId, int limit) {
        Map<String, ParkedHead> heads = new java.util.LinkedHashMap<>();
        long[] last = {afterId};
        jdbc.query(
                PARKED_HEADS + " AND o.id > ? ORDER BY o.id LIMIT ?",
                (ResultSet rs) -> {
                    heads.put(rs.getString("aggregate_id"), parkedHead(rs));
                    last[0] = rs.getLong("id");
                },
                OrderStateChanged.AGGREGATE_TYPE,
                afterId,
                limit);
        return new ParkedHeadPage(heads, heads.size() < limit ? -1 : last[0]);
    }

    /** @param next the row id to continue after, {@code -1} when this was the last page */
    record ParkedHeadPage(Map<String, ParkedHead> heads, long next) {}

    /** Parked rows of orders with no older unsent row: the same notion of "head" as the relay's claim query. */
    private static final String PARKED_HEADS = "SELECT o.id, o.aggregate_id, o.event_id, o.event_type,"
            + " o.aggregate_version, o.last_error FROM outbox_event o"
            + " WHERE o.aggregate_type = ? AND o.status = 'PARKED'" + JdbcOutboxStore.OLDER_UNSENT_ROW_ABSENT;

    private static ParkedHead parkedHead(ResultSet rs) throws SQLException {
        return new ParkedHead(
                rs.getString("event_id"),
                rs.getString("event_type"),
                rs.getObject("aggregate_version", Long.class),
                rs.getString("last_error"));
    }

    /** The parked events of an order, oldest first: they block its later events until re-queued or superseded. */
    List<ParkedHead> parkedEvents(String orderId) {
        return jdbc.query(
                "SELECT event_id, event_type, aggregate_version, last_error FROM outbox_event"
                        + " WHERE aggregate_type = ? AND aggregate_id = ? AND status = 'PARKED' ORDER BY id",
                (rs, row) -> parkedHead(rs),
                OrderStateChanged.AGGREGATE_TYPE,
                orderId);
    }

    /**
     * Retires a parked state event that a later state of its order makes redundant ({@link
     * ParkedHead#supersedable()}): the row leaves the parked state for the kit's terminal state {@code SENT} — nothing
     * of it is left to publish, so it no longer holds back the order's later events, is not counted or listed as
     * parked, and is deleted with the sent rows after the outbox retention — and its {@code last_error} keeps, for the
     * audit, which event superseded it and why it had been parked ({@code "superseded by …; was parked: …"}; a row
     * the relay sent has no error). Call it in the transaction that appends the superseding event.
     *
     * @return false when the row is no longer parked (re-queued or superseded meanwhile)
     */
    boolean supersede(String eventId, String supersededBy) {
        return jdbc.update(
                        "UPDATE outbox_event SET status = 'SENT', sent_at = UTC_TIMESTAMP(6), claim_token = NULL,"
                                + " last_error = LEFT(CONCAT(?, '; was parked: ', COALESCE(last_error, '')), 2000)"
                                + " WHERE event_id = ? AND status = 'PARKED'",
                        SUPERSEDED_BY + supersededBy,
                        eventId)
                == 1;
    }

    /** How {@link #supersede} marks a retired row's {@code last_error}. */
    static final String SUPERSEDED_BY = "superseded by ";

    /** Ids of orders changed at or after {@code since}, after {@code after} in id order, at most {@code limit}. */
    List<String> changedSince(Instant since, String after, int limit) {
        return after == null
                ? jdbc.queryForList(
                        "SELECT id FROM fleet_order WHERE updated_at >= ? ORDER BY id LIMIT ?",
                        String.class,
                        ReconciliationRuns.utc(since),
                        limit)
                : jdbc.queryForList(
                        "SELECT id FROM fleet_order WHERE updated_at >= ? AND id > ? ORDER BY id LIMIT ?",
                        String.class,
                        ReconciliationRuns.utc(since),
                        after,
                        limit);
    }

    private Set<String> outboxAggregates(Collection<String> orderIds, String status) {
        if (orderIds.isEmpty()) {
            return Set.of();
        }
        List<Object> args = new ArrayList<>(orderIds.size() + 2);
        args.add(OrderStateChanged.AGGREGATE_TYPE);
        args.add(status);
        args.addAll(orderIds);
        return new HashSet<>(jdbc.queryForList(
                "SELECT DISTINCT aggregate_id FROM outbox_event WHERE aggregate_type = ? AND status = ?"
                        + " AND aggregate_id IN (" + placeholders(orderIds) + ")",
                String.class,
                args.toArray()));
    }

    private static OrderFact fact(ResultSet rs, int row) throws SQLException {
        return new OrderFact(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4));
    }

    private static String placeholders(Collection<?> values) {
        return String.join(",", Collections.nCopies(values.size(), "?"));
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }
}
