package io.fleetsaga.assignment.mirror;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * What assignment-service knows of each order: the last applied state and its version. Walking-skeleton
 * effect of consuming order events; task links and counters build on it.
 */
@Repository
public class OrderMirror {

    private final JdbcTemplate jdbc;

    OrderMirror(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Applies the order's state if its version is newer than the one held; redelivered and out-of-order
     * (older) states change nothing.
     *
     * @return whether the state was applied
     */
    public boolean apply(String orderId, String taskId, String status, long version) {
        int inserted = jdbc.update(
                "INSERT IGNORE INTO order_mirror (order_id, task_id, status, order_version, updated_at)"
                        + " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))",
                orderId,
                taskId,
                status,
                version);
        if (inserted == 1) {
            return true;
        }
        return jdbc.update(
                        "UPDATE order_mirror SET task_id = ?, status = ?, order_version = ?, updated_at = UTC_TIMESTAMP(6)"
                                + " WHERE order_id = ? AND order_version < ?",
                        taskId,
                        status,
                        version,
                        orderId,
                        version)
                == 1;
    }
}
