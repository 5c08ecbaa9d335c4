package io.fleetsaga.assignment.task;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code order_mirror} rows: for every order assignment-service has heard of — on a task or not — the
 * last applied state and its version. This is the version guard: an order that left its task keeps its
 * row here, so a late, older state cannot put it back. The row also remembers the last assignment command refused
 * for the order ({@link #refusal}), so that a re-sent command of that saga is refused again.
 */
@Repository
class OrderMirror {

    private final JdbcClient jdbc;

    OrderMirror(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The last applied state of the order, locked until the transaction ends. Locking the order's row first
     * serialises every change of one order (and the outbox rows it causes).
     */
    Optional<OrderState> lock(String orderId) {
        return jdbc.sql("SELECT order_id, task_id, status, order_version FROM order_mirror WHERE order_id = ?"
                        + " FOR UPDATE")
                .param(orderId)
                .query((rs, row) -> new OrderState(
                        rs.getString("order_id"),
                        rs.getString("task_id"),
                        OrderStatus.valueOf(rs.getString("status")),
                        rs.getLong("order_version")))
                .optional();
    }

    /** Records {@code state} as the last applied one; {@code known} says whether the order has a row. */
    void save(OrderState state, boolean known) {
        String status = state.status().name();
        if (known) {
            jdbc.sql("UPDATE order_mirror SET task_id = ?, status = ?, order_version = ?, updated_at = UTC_TIMESTAMP(6)"
                            + " WHERE order_id = ?")
                    .params(state.taskId(), status, state.version(), state.orderId())
                    .update();
        } else {
            jdbc.sql("INSERT INTO order_mirror (order_id, task_id, status, order_version, updated_at)"
                            + " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))")
                    .params(state.orderId(), state.taskId(), status, state.version())
                    .update();
        }
    }

    /**
     * The refusal of the command for the order at {@code orderVersion}, if this service refused it before; read
     * under the row's lock (call {@link #lock} first).
     */
    Optional<AssignmentDecision.Rejected> refusal(String orderId, String taskId, long orderVersion) {
        return jdbc.sql("SELECT rejection_reason, rejection_detail FROM order_mirror"
                        + " WHERE order_id = ? AND rejected_version = ? FOR UPDATE")
                .params(orderId, orderVersion)
                .query((rs, row) -> new AssignmentDecision.Rejected(
                        orderId,
                        taskId,
                        RejectionReason.valueOf(rs.getString("rejection_reason")),
                        rs.getString("rejection_detail")))
                .optional();
    }

    /** Remembers that the command for the order at {@code orderVersion} was refused; nothing when the order has no row. */
    void recordRefusal(long orderVersion, AssignmentDecision.Rejected refusal) {
        String detail = refusal.detail();
        jdbc.sql("UPDATE order_mirror SET rejected_version = ?, rejection_reason = ?, rejection_detail = ?"
                        + " WHERE order_id = ?")
                .params(
                        orderVersion,
                        refusal.reason().name(),
                        detail == null || detail.length() <= 500 ? detail : detail.substring(0, 500),
                        refusal.orderId())
                .update();
    }
}
