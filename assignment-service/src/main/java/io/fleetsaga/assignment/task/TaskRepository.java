package io.fleetsaga.assignment.task;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code assignment_task} rows. Counters change only through {@link #addToCounters}: one atomic
 * {@code UPDATE … SET assigned_count = assigned_count + ?} in the caller's transaction, so concurrent
 * writers of a hot task queue on the row lock for a few milliseconds instead of failing on a stale version
 * (incident I-1). The one exception is reconciliation's counter recompute ({@code CounterRecomputation}), which
 * sets them to what the task's links imply while it holds the task row's lock — the lock every writer of this
 * task's counters takes first.
 */
@Repository
class TaskRepository {

    private static final String COLUMNS =
            "id, courier_id, capacity, status, assigned_count, delivered_count," + " created_at, updated_at, closed_at";

    private final JdbcClient jdbc;

    TaskRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts an open, empty task; {@code false} when a task with this id exists. */
    boolean insert(String id, String courierId, int capacity) {
        try {
            jdbc.sql(
                            "INSERT INTO assignment_task (id, courier_id, capacity, status, assigned_count, delivered_count,"
                                    + " created_at, updated_at) VALUES (?, ?, ?, 'OPEN', 0, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))")
                    .params(id, courierId, capacity)
                    .update();
            return true;
        } catch (DuplicateKeyException exists) {
            return false;
        }
    }

    Optional<AssignmentTask> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM assignment_task WHERE id = ?")
                .param(id)
                .query(TaskRepository::task)
                .optional();
    }

    /** The courier of an existing task; a task's courier never changes, so no lock is needed. */
    String courierOf(String id) {
        return jdbc.sql("SELECT courier_id FROM assignment_task WHERE id = ?")
                .param(id)
                .query(String.class)
                .single();
    }

    /** Reads the task with an exclusive row lock held until the transaction ends: the basis of a decision. */
    Optional<AssignmentTask> lock(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM assignment_task WHERE id = ? FOR UPDATE")
                .param(id)
                .query(TaskRepository::task)
                .optional();
    }

    /** Writes the task's status (never its counters); a task that becomes CLOSED gets its closing time. */
    void saveStatus(AssignmentTask task) {
        jdbc.sql("UPDATE assignment_task SET status = :status,"
                        + " closed_at = CASE WHEN :status = 'CLOSED' THEN COALESCE(closed_at, UTC_TIMESTAMP(6)) END,"
                        + " updated_at = UTC_TIMESTAMP(6) WHERE id = :id")
                .param("status", task.status().name())
                .param("id", task.id())
                .update();
    }

    /**
     * Adds {@code delta} to the task's counters with one atomic increment.
     *
     * @return whether the task exists
     */
    boolean addToCounters(CounterDelta delta) {
        return jdbc.sql("UPDATE assignment_task SET assigned_count = assigned_count + ?,"
                                + " delivered_count = delivered_count + ?, updated_at = UTC_TIMESTAMP(6) WHERE id = ?")
                        .params(delta.assigned(), delta.delivered(), delta.taskId())
                        .update()
                == 1;
    }

    private static AssignmentTask task(ResultSet rs, int row) throws SQLException {
        return new AssignmentTask(
                rs.getString("id"),
                rs.getString("courier_id"),
                rs.getInt("capacity"),
                TaskStatus.valueOf(rs.getString("status")),
                rs.getInt("assigned_count"),
                rs.getInt("delivered_count"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "closed_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }
}
