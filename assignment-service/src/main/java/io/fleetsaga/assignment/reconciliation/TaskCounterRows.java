package io.fleetsaga.assignment.reconciliation;

import io.fleetsaga.assignment.task.CounterWeightsSql;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Tasks' counters next to what their links imply, in SQL. The links' weights come from {@link CounterWeightsSql},
 * that is from the same rules the consumer's counter deltas follow.
 */
@Repository
class TaskCounterRows {

    private static final String EXPECTED_ASSIGNED =
            "COALESCE(SUM(" + CounterWeightsSql.assigned("l.order_status") + "), 0)";
    private static final String EXPECTED_DELIVERED =
            "COALESCE(SUM(" + CounterWeightsSql.delivered("l.order_status") + "), 0)";

    private final JdbcTemplate jdbc;

    TaskCounterRows(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The tasks (of {@code taskIds}, or all when empty) whose counters differ from their links, ascending by task
     * id, at most {@code limit}. One statement: counters and links are read from one snapshot.
     */
    List<CounterMismatch> mismatches(Collection<String> taskIds, int limit) {
        String where = taskIds.isEmpty()
                ? ""
                : " WHERE t.id IN (" + taskIds.stream().map(id -> "?").collect(Collectors.joining(",")) + ")";
        Object[] args = new Object[taskIds.size() + 1];
        int i = 0;
        for (String id : taskIds) {
            args[i++] = id;
        }
        args[i] = limit;
        return jdbc.query(
                "SELECT t.id, t.assigned_count, t.delivered_count, " + EXPECTED_ASSIGNED + " AS expected_assigned, "
                        + EXPECTED_DELIVERED + " AS expected_delivered"
                        + " FROM assignment_task t LEFT JOIN task_order_link l ON l.task_id = t.id" + where
                        + " GROUP BY t.id, t.assigned_count, t.delivered_count"
                        + " HAVING t.assigned_count <> expected_assigned OR t.delivered_count <> expected_delivered"
                        + " ORDER BY t.id LIMIT ?",
                (rs, row) -> new CounterMismatch(
                        rs.getString("id"),
                        rs.getInt("assigned_count"),
                        rs.getInt("expected_assigned"),
                        rs.getInt("delivered_count"),
                        rs.getInt("expected_delivered")),
                args);
    }

    /** The task's counters ({@code [assigned, delivered]}), its row locked until the transaction ends. */
    Optional<int[]> lockCounters(String taskId) {
        return jdbc
                .query(
                        "SELECT assigned_count, delivered_count FROM assignment_task WHERE id = ? FOR UPDATE",
                        (rs, row) -> new int[] {rs.getInt(1), rs.getInt(2)},
                        taskId)
                .stream()
                .findFirst();
    }

    /** What the task's links imply for its counters ({@code [assigned, delivered]}), as committed. */
    int[] impliedByLinks(String taskId) {
        return jdbc.queryForObject(
                "SELECT " + EXPECTED_ASSIGNED + ", " + EXPECTED_DELIVERED
                        + " FROM task_order_link l WHERE l.task_id = ?",
                (rs, row) -> new int[] {rs.getInt(1), rs.getInt(2)},
                taskId);
    }

    /** Sets the counters; only under the task row's lock, taken by {@link #lockCounters} in this transaction. */
    void setCounters(String taskId, int assigned, int delivered) {
        jdbc.update(
                "UPDATE assignment_task SET assigned_count = ?, delivered_count = ?, updated_at = UTC_TIMESTAMP(6)"
                        + " WHERE id = ?",
                assigned,
                delivered,
                taskId);
    }
}
