package io.fleetsaga.assignment.task;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code task_order_link} rows: one per order on a task (the primary key is the order id). */
@Repository
class LinkRepository {

    private static final String COLUMNS = "order_id, task_id, order_status, order_version";

    private final JdbcClient jdbc;

    LinkRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The order's link, locked until the transaction ends. */
    Optional<OrderLink> lock(String orderId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM task_order_link WHERE order_id = ? FOR UPDATE")
                .param(orderId)
                .query(LinkRepository::link)
                .optional();
    }

    List<OrderLink> findByTask(String taskId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM task_order_link WHERE task_id = ? ORDER BY order_id")
                .param(taskId)
                .query(LinkRepository::link)
                .list();
    }

    /** Writes the link row as {@code change} says: insert, update (or move), or delete. */
    void write(LinkChange change) {
        if (change.after().isEmpty()) {
            change.before()
                    .ifPresent(before -> jdbc.sql("DELETE FROM task_order_link WHERE order_id = ?")
                            .param(before.orderId())
                            .update());
            return;
        }
        OrderLink after = change.after().get();
        if (change.before().isEmpty()) {
            jdbc.sql(
                            "INSERT INTO task_order_link (order_id, task_id, order_status, order_version, linked_at, updated_at)"
                                    + " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))")
                    .params(after.orderId(), after.taskId(), after.status().name(), after.orderVersion())
                    .update();
            return;
        }
        jdbc.sql("UPDATE task_order_link SET task_id = ?, order_status = ?, order_version = ?,"
                        + " linked_at = CASE WHEN ? THEN UTC_TIMESTAMP(6) ELSE linked_at END,"
                        + " updated_at = UTC_TIMESTAMP(6) WHERE order_id = ?")
                .params(after.taskId(), after.status().name(), after.orderVersion(), change.moves(), after.orderId())
                .update();
    }

    private static OrderLink link(ResultSet rs, int row) throws SQLException {
        return new OrderLink(
                rs.getString("order_id"),
                rs.getString("task_id"),
                OrderStatus.valueOf(rs.getString("order_status")),
                rs.getLong("order_version"));
    }
}
