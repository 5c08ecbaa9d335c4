package io.fleetsaga.order.saga;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The {@code assignment_saga} table. Every change of a saga is a conditional {@code UPDATE} whose
 * affected-row count says whether it happened: a saga leaves {@code STARTED} once, and of several deadline
 * checkers only one re-sends a given attempt. Times come from the database clock.
 */
@Repository
class SagaStore {

    private static final String COLUMNS =
            "id, order_id, task_id, order_version, status, attempts, deadline_at, reason," + " created_at, updated_at";
    private static final int MAX_REASON = 500;

    private final JdbcTemplate jdbc;

    SagaStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID id, String orderId, String taskId, long orderVersion, Duration timeout) {
        jdbc.update(
                "INSERT INTO assignment_saga (" + COLUMNS + ") VALUES (?, ?, ?, ?, 'STARTED', 1,"
                        + " UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, NULL, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                id.toString(),
                orderId,
                taskId,
                orderVersion,
                micros(timeout));
    }

    Optional<AssignmentSaga> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM assignment_saga WHERE id = ?", ROW, id.toString()).stream()
                .findFirst();
    }

    Optional<AssignmentSaga> latestFor(String orderId) {
        return jdbc
                .query(
                        "SELECT " + COLUMNS + " FROM assignment_saga WHERE order_id = ?"
                                + " ORDER BY created_at DESC, id LIMIT 1",
                        ROW,
                        orderId)
                .stream()
                .findFirst();
    }

    List<AssignmentSaga> list(SagaStatus status, int limit) {
        if (status == null) {
            return jdbc.query(
                    "SELECT " + COLUMNS + " FROM assignment_saga ORDER BY updated_at DESC, id LIMIT ?", ROW, limit);
        }
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM assignment_saga WHERE status = ? ORDER BY updated_at DESC, id LIMIT ?",
                ROW,
                status.name(),
                limit);
    }

    long count(SagaStatus status) {
        Long count =
                jdbc.queryForObject("SELECT COUNT(*) FROM assignment_saga WHERE status = ?", Long.class, status.name());
        return count == null ? 0 : count;
    }

    /** Ids of running sagas past their deadline, most overdue first. */
    List<UUID> due(int limit) {
        return jdbc.query(
                "SELECT id FROM assignment_saga WHERE status = 'STARTED' AND deadline_at <= UTC_TIMESTAMP(6)"
                        + " ORDER BY deadline_at LIMIT ?",
                (rs, n) -> UUID.fromString(rs.getString(1)),
                limit);
    }

    /** Ends a running saga; false when it is not running any more. */
    boolean finish(UUID id, SagaStatus status, String reason) {
        return jdbc.update(
                        "UPDATE assignment_saga SET status = ?, reason = ?, updated_at = UTC_TIMESTAMP(6)"
                                + " WHERE id = ? AND status = 'STARTED'",
                        status.name(),
                        truncate(reason),
                        id.toString())
                == 1;
    }

    /** Compensates the running saga of an order, if there is one; whether there was. */
    boolean compensateRunning(String orderId, String reason) {
        return jdbc.update(
                        "UPDATE assignment_saga SET status = 'COMPENSATED', reason = ?, updated_at = UTC_TIMESTAMP(6)"
                                + " WHERE order_id = ? AND status = 'STARTED'",
                        truncate(reason),
                        orderId)
                > 0;
    }

    /**
     * Claims the next attempt of a saga that is past its deadline after {@code attempts} attempts: one more
     * attempt, a new deadline {@code wait} from now. False when another checker claimed it first, a reply
     * ended the saga or the deadline moved.
     */
    boolean nextAttempt(UUID id, int attempts, Duration wait) {
        return jdbc.update(
                        "UPDATE assignment_saga SET attempts = attempts + 1,"
                                + " deadline_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, updated_at = UTC_TIMESTAMP(6)"
                                + " WHERE id = ? AND status = 'STARTED' AND attempts = ? AND deadline_at <= UTC_TIMESTAMP(6)",
                        micros(wait),
                        id.toString(),
                        attempts)
                == 1;
    }

    /** Gives up a saga past its deadline after its last attempt; false when someone else ended it first. */
    boolean giveUp(UUID id, int attempts, String reason) {
        return jdbc.update(
                        "UPDATE assignment_saga SET status = 'STUCK', reason = ?, updated_at = UTC_TIMESTAMP(6)"
                                + " WHERE id = ? AND status = 'STARTED' AND attempts = ? AND deadline_at <= UTC_TIMESTAMP(6)",
                        truncate(reason),
                        id.toString(),
                        attempts)
                == 1;
    }

    private static long micros(Duration duration) {
        return duration.toNanos() / 1000;
    }

    private static String truncate(String reason) {
        return reason == null || reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON);
    }

    private static final RowMapper<AssignmentSaga> ROW = SagaStore::row;

    private static AssignmentSaga row(ResultSet rs, int n) throws SQLException {
        return new AssignmentSaga(
                UUID.fromString(rs.getString("id")),
                rs.getString("order_id"),
                rs.getString("task_id"),
                rs.getLong("order_version"),
                SagaStatus.valueOf(rs.getString("status")),
                rs.getInt("attempts"),
                instant(rs, "deadline_at"),
                rs.getString("reason"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }
}
