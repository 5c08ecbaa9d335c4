package io.fleetsaga.assignment.support;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Writes links straight into this service's tables — for tests that need many links quickly, or drift the
 * consumer would never produce. Task rows must exist (the link's foreign key).
 */
public final class LinkRows {

    /** A link row: the order on {@code taskId}, mirroring {@code status} at {@code version}. */
    public record Link(String orderId, String taskId, String status, long version) {}

    private LinkRows() {}

    /** Inserts the links and adds them to their tasks' counters, so the tasks stay consistent. */
    public static void insert(JdbcTemplate jdbc, List<Link> links) {
        jdbc.batchUpdate(
                "INSERT INTO task_order_link (order_id, task_id, order_status, order_version, linked_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                links,
                500,
                (ps, link) -> {
                    ps.setString(1, link.orderId());
                    ps.setString(2, link.taskId());
                    ps.setString(3, link.status());
                    ps.setLong(4, link.version());
                });
        Map<String, int[]> counters = new TreeMap<>();
        for (Link link : links) {
            int[] c = counters.computeIfAbsent(link.taskId(), id -> new int[2]);
            c[0]++;
            c[1] += "DELIVERED".equals(link.status()) ? 1 : 0;
        }
        counters.forEach((taskId, c) -> jdbc.update(
                "UPDATE assignment_task SET assigned_count = assigned_count + ?, delivered_count = delivered_count + ?"
                        + " WHERE id = ?",
                c[0],
                c[1],
                taskId));
    }

    /** Every link row of the service, ascending by order id — the facts reconciliation compares. */
    public static List<ReferenceDigests.Fact> allFacts(JdbcTemplate jdbc) {
        return jdbc.query(
                "SELECT order_id, task_id, order_status, order_version FROM task_order_link ORDER BY order_id",
                (rs, row) ->
                        new ReferenceDigests.Fact(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
    }
}
