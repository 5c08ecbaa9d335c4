package io.fleetsaga.order.saga;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The {@code assignment_saga} table. Every change of a saga is a conditional {@code UPDATE} whose
 * affected-row count says whether it happened: a saga leaves {@code STARTED} once, and of several deadline
 * checkers only one re-sends a given attempt. Times come from the database clock.
 *
 * <p>A saga is read together with its current command's outbox row ({@code outbox_event}, same database, joined by
 * event id): where the command is and when the broker acknowledged it. There is no callback from the relay to the
 * saga — the outbox row is the record of the acknowledgement, so a crash between the relay's {@code markSent} and
 * anything else loses nothing.
 */
@Repository
class SagaStore {

    private static final String COLUMNS = "s.id, s.order_id, s.task_id, s.order_version, s.status, s.attempts,"
            + " s.command_event_id, s.reply_wait_us, s.deadline_at, s.held_for_consumer, s.reason, s.created_at, s.updated_at,"
            + " c.status AS command_status, c.sent_at AS command_sent_at";
    private static final String FROM =
            " FROM assignment_saga s LEFT JOIN outbox_event c ON c.event_id = s.command_event_id";
    private static final int MAX_REASON = 500;

    private final JdbcTemplate jdbc;

    SagaStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A running saga on its first attempt, whose command is {@code commandEventId}, waiting {@code wait} for a reply. */
    void insert(UUID id, String orderId, String taskId, long orderVersion, UUID commandEventId, Duration wait) {
        jdbc.update(
                "INSERT INTO assignment_saga (id, order_id, task_id, order_version, status, attempts, command_event_id,"
                        + " reply_wait_us, deadline_at, reason, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, 'STARTED', 1, ?, ?, UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, NULL,"
                        + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                id.toString(),
                orderId,
                taskId,
                orderVersion,
                commandEventId.toString(),
                micros(wait),
                micros(wait));
    }

    Optional<AssignmentSaga> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + FROM + " WHERE s.id = ?", ROW, id.toString()).stream()
                .findFirst();
    }

    Optional<AssignmentSaga> latestFor(String orderId) {
        return jdbc
                .query(
                        "SELECT " + COLUMNS + FROM + " WHERE s.order_id = ? ORDER BY s.created_at DESC, s.id LIMIT 1",
                        ROW,
                        orderId)
                .stream()
                .findFirst();
    }

    List<AssignmentSaga> list(SagaStatus status, int limit) {
        if (status == null) {
            return jdbc.query("SELECT " + COLUMNS + FROM + " ORDER BY s.updated_at DESC, s.id LIMIT ?", ROW, limit);
        }
        return jdbc.query(
                "SELECT " + COLUMNS + FROM + " WHERE s.status = ? ORDER BY s.updated_at DESC, s.id LIMIT ?",
                ROW,
                status.name(),
                limit);
    }

    long count(SagaStatus status) {
        Long count =
                jdbc.queryForObject("SELECT COUNT(*) FROM assignment_saga WHERE status = ?", Long.class, status.name());
        return count == null ? 0 : count;
    }

    /** Running sagas by where their current command is. */
    Map<CommandDelivery, Long> countRunningByCommand() {
        Map<CommandDelivery, Long> counts = new EnumMap<>(CommandDelivery.class);
        for (CommandDelivery delivery : CommandDelivery.values()) {
            counts.put(delivery, 0L);
        }
        jdbc.query("SELECT c.status, COUNT(*)" + FROM + " WHERE s.status = 'STARTED' GROUP BY c.status", rs -> {
            counts.merge(CommandDelivery.ofOutboxStatus(rs.getString(1)), rs.getLong(2), Long::sum);
        });
        return counts;
    }

    /** The database clock, which all deadlines are measured by. */
    Instant now() {
        return jdbc.queryForObject("SELECT UTC_TIMESTAMP(6)", LocalDateTime.class)
                .toInstant(ZoneOffset.UTC);
    }

    /**
     * Running sagas whose stored {@code deadline_at} has passed, most overdue first, with their command. {@code
     * deadline_at} is a lower bound of the attempt's deadline ({@link AssignmentSaga#earliestDeadline()}); whether
     * the saga is really due is {@link AssignmentSaga#atDeadline}'s decision, and a saga that is not yet due gets a
     * later lower bound ({@link #postpone}). So each check reads at most {@code limit} sagas, however many wait for
     * the broker.
     */
    List<AssignmentSaga> candidates(int limit) {
        return jdbc.query(
                "SELECT " + COLUMNS + FROM + " WHERE s.status = 'STARTED' AND s.deadline_at <= UTC_TIMESTAMP(6)"
                        + " ORDER BY s.deadline_at LIMIT ?",
                ROW,
                limit);
    }

    /**
     * Raises the lower bound of a running saga's deadline to {@code until} (a time of the database clock), unless
     * the saga moved on meanwhile (ended, or another attempt); does not count as a change of the saga.
     */
    boolean postpone(UUID id, int attempts, Instant until) {
        return jdbc.update(
                        "UPDATE assignment_saga SET deadline_at = ? WHERE id = ? AND status = 'STARTED'"
                                + " AND attempts = ? AND deadline_at < ?",
                        LocalDateTime.ofInstant(until, ZoneOffset.UTC),
                        id.toString(),
                        attempts,
                        LocalDateTime.ofInstant(until, ZoneOffset.UTC))
                == 1;
    }

    /**
     * Holds a running saga for the consumer of its command: raises its deadline's lower bound to {@code until} and
     * marks it held, unless it moved on meanwhile; whether it was held now.
     */
    boolean hold(UUID id, int attempts, Instant until) {
        return jdbc.update(
                        "UPDATE assignment_saga SET deadline_at = ?, held_for_consumer = TRUE WHERE id = ?"
                                + " AND status = 'STARTED' AND attempts = ? AND deadline_at < ?",
                        LocalDateTime.ofInstant(until, ZoneOffset.UTC),
                        id.toString(),
                        attempts,
                        LocalDateTime.ofInstant(until, ZoneOffset.UTC))
                == 1;
    }

    /**
     * Releases a held saga whose command is now consumed: its deadline becomes {@code until} (one reply wait from
     * now), the mark is cleared; false when it moved on or another checker released it first.
     */
    boolean release(UUID id, int attempts, Instant until) {
        return jdbc.update(
                        "UPDATE assignment_saga SET deadline_at = ?, held_for_consumer = FALSE WHERE id = ?"
                                + " AND status = 'STARTED' AND attempts = ? AND held_for_consumer",
                        LocalDateTime.ofInstant(until, ZoneOffset.UTC),
                        id.toString(),
                        attempts)
                == 1;
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
     * Claims the next attempt of a running saga after {@code attempts} attempts: one more attempt, whose command is
     * {@code commandEventId}, waiting {@code wait} for a reply once that command is acknowledged. False when another
     * checker claimed it first or a reply ended the saga. The caller decided that the deadline passed ({@link
     * AssignmentSaga#atDeadline}); once passed, a deadline stays passed (an acknowledged command stays
     * acknowledged), so the decision still holds here.
     */
    boolean nextAttempt(UUID id, int attempts, UUID commandEventId, Duration wait) {
        return jdbc.update(
                        "UPDATE assignment_saga SET attempts = attempts + 1, command_event_id = ?, reply_wait_us = ?,"
                                + " deadline_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, held_for_consumer = FALSE,"
                                + " updated_at = UTC_TIMESTAMP(6)"
                                + " WHERE id = ? AND status = 'STARTED' AND attempts = ? AND deadline_at <= UTC_TIMESTAMP(6)",
                        commandEventId.toString(),
                        micros(wait),
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
        String commandEventId = rs.getString("command_event_id");
        CommandDelivery delivery = commandEventId == null
                ? CommandDelivery.UNTRACKED
                : CommandDelivery.ofOutboxStatus(rs.getString("command_status"));
        Instant sentAt = instant(rs, "command_sent_at");
        if (delivery == CommandDelivery.SENT && sentAt == null) {
            delivery = CommandDelivery.UNTRACKED;
        }
        SagaCommand command = new SagaCommand(
                commandEventId == null ? null : UUID.fromString(commandEventId),
                delivery,
                delivery == CommandDelivery.SENT ? sentAt : null);
        long replyWaitMicros = rs.getLong("reply_wait_us");
        Duration replyWait = rs.wasNull() ? Duration.ZERO : Duration.ofNanos(replyWaitMicros * 1000);
        return new AssignmentSaga(
                UUID.fromString(rs.getString("id")),
                rs.getString("order_id"),
                rs.getString("task_id"),
                rs.getLong("order_version"),
                SagaStatus.valueOf(rs.getString("status")),
                rs.getInt("attempts"),
                command,
                replyWait,
                instant(rs, "deadline_at"),
                rs.getBoolean("held_for_consumer"),
                rs.getString("reason"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }
}
