package io.fleetsaga.order.reconciliation;

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

    /** The parked events of an order, oldest first: they block its later events until re-queued. */
    List<String> parkedEventIds(String orderId) {
        return jdbc.queryForList(
                "SELECT event_id FROM outbox_event WHERE aggregate_type = ? AND aggregate_id = ? AND status = 'PARKED'"
                        + " ORDER BY id",
                String.class,
                OrderStateChanged.AGGREGATE_TYPE,
                orderId);
    }

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
