package io.fleetsaga.assignment.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The invariant every task must satisfy at rest: its counters are what its links imply —
 * {@code assigned_count} = number of links, {@code delivered_count} = number of DELIVERED links. Computed
 * independently of the code under test, straight from the tables; reconciliation checks the same.
 */
public final class TaskInvariants {

    private TaskInvariants() {}

    /** Asserts the invariant for {@code taskId} and returns the counters ({@code assigned}, {@code delivered}). */
    public static Map<String, Long> assertCountersMatchLinks(JdbcTemplate jdbc, String taskId) {
        Map<String, Object> counters =
                jdbc.queryForMap("SELECT assigned_count, delivered_count FROM assignment_task WHERE id = ?", taskId);
        Map<String, Object> implied = jdbc.queryForMap(
                "SELECT COUNT(*) AS links, COALESCE(SUM(order_status = 'DELIVERED'), 0) AS delivered"
                        + " FROM task_order_link WHERE task_id = ?",
                taskId);
        long assigned = ((Number) counters.get("assigned_count")).longValue();
        long delivered = ((Number) counters.get("delivered_count")).longValue();
        assertThat(Map.of("assigned", assigned, "delivered", delivered))
                .as("counters of task %s against its links", taskId)
                .isEqualTo(Map.of(
                        "assigned", ((Number) implied.get("links")).longValue(),
                        "delivered", ((Number) implied.get("delivered")).longValue()));
        return Map.of("assigned", assigned, "delivered", delivered);
    }
}
