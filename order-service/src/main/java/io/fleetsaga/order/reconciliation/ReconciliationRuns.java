package io.fleetsaga.order.reconciliation;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;

/** The runs and their drift entries ({@code reconciliation_run}, {@code reconciliation_drift}). Times: database clock. */
@Component
class ReconciliationRuns {

    private static final String RUN_COLUMNS = "id, trigger_type, mode, scope, method, scope_order_count, changed_since,"
            + " requested_by, instance, status, started_at, finished_at,"
            + " TIMESTAMPDIFF(MICROSECOND, started_at, COALESCE(finished_at, UTC_TIMESTAMP(6))) AS elapsed,"
            + " orders_checked, links_checked, bucket_count, buckets_differing, rows_compared, candidates, in_flight,"
            + " unsettled, lagging, candidates_truncated, drift_missing_link, drift_orphan_link, drift_stale_status,"
            + " drift_wrong_task, drift_counter_mismatch, drift_blocked, repairs_published, repairs_recomputed,"
            + " repairs_skipped, repairs_failed, error";

    private final JdbcTemplate jdbc;

    ReconciliationRuns(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records a run that starts now.
     *
     * @param slot the schedule slot of a scheduled run, {@code null} for a manual one
     * @return the run's id; empty when a run of {@code slot} exists already (another instance took it)
     */
    OptionalLong start(String trigger, Long slot, RunRequest request, String requestedBy, String instance) {
        GeneratedKeyHolder key = new GeneratedKeyHolder();
        try {
            jdbc.update(
                    connection -> {
                        PreparedStatement insert = connection.prepareStatement(
                                "INSERT INTO reconciliation_run (trigger_type, scheduled_slot, mode, scope, method,"
                                        + " scope_order_count, changed_since, requested_by, instance, status, started_at)"
                                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'RUNNING', UTC_TIMESTAMP(6))",
                                Statement.RETURN_GENERATED_KEYS);
                        insert.setString(1, trigger);
                        insert.setObject(2, slot);
                        insert.setString(3, request.mode().name());
                        insert.setString(4, request.scope().name());
                        insert.setString(5, request.method().name());
                        insert.setObject(
                                6,
                                request.scope() == RunRequest.Scope.ORDERS
                                        ? request.orderIds().size()
                                        : null);
                        insert.setObject(7, utc(request.changedSince()));
                        insert.setString(8, requestedBy);
                        insert.setString(9, instance);
                        return insert;
                    },
                    key);
        } catch (DuplicateKeyException slotTaken) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(key.getKey().longValue());
    }

    /** Stores the findings and the drift; false when the run was meanwhile marked abandoned. */
    boolean complete(long runId, Reconciler.Findings findings, List<Drift> drift) {
        Map<DriftType, Integer> byType = countByType(drift);
        Map<RepairResult, Integer> byResult = countByResult(drift);
        jdbc.batchUpdate(
                "INSERT INTO reconciliation_drift (run_id, drift_type, order_id, task_id, expected, actual, repair,"
                        + " repair_detail, event_id, event_type, event_version, event_error)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                drift,
                1000,
                (insert, d) -> {
                    insert.setLong(1, runId);
                    insert.setString(2, d.type().name());
                    insert.setString(3, d.orderId());
                    insert.setString(4, d.taskId());
                    insert.setString(5, cut(d.expected()));
                    insert.setString(6, cut(d.actual()));
                    insert.setString(7, d.repair() == null ? null : d.repair().name());
                    insert.setString(8, cut(d.repairDetail()));
                    ParkedHead parked = d.parked();
                    insert.setString(9, parked == null ? null : parked.eventId());
                    insert.setString(10, parked == null ? null : parked.eventType());
                    insert.setObject(11, parked == null ? null : parked.version());
                    insert.setString(12, parked == null ? null : cut(parked.error()));
                });
        return jdbc.update(
                        "UPDATE reconciliation_run SET status = 'COMPLETED', finished_at = UTC_TIMESTAMP(6),"
                                + " orders_checked = ?, links_checked = ?, bucket_count = ?, buckets_differing = ?,"
                                + " rows_compared = ?, candidates = ?, in_flight = ?, unsettled = ?, lagging = ?,"
                                + " candidates_truncated = ?, drift_missing_link = ?, drift_orphan_link = ?,"
                                + " drift_stale_status = ?, drift_wrong_task = ?, drift_counter_mismatch = ?,"
                                + " drift_blocked = ?,"
                                + " repairs_published = ?, repairs_recomputed = ?, repairs_skipped = ?,"
                                + " repairs_failed = ? WHERE id = ? AND status = 'RUNNING'",
                        findings.ordersChecked,
                        findings.linksChecked,
                        findings.bucketCount,
                        findings.bucketsDiffering,
                        findings.rowsCompared,
                        findings.candidates,
                        findings.inFlight,
                        findings.unsettled,
                        findings.lagging,
                        findings.truncated,
                        byType.get(DriftType.MISSING_LINK),
                        byType.get(DriftType.ORPHAN_LINK),
                        byType.get(DriftType.STALE_STATUS),
                        byType.get(DriftType.WRONG_TASK),
                        byType.get(DriftType.COUNTER_MISMATCH),
                        byType.get(DriftType.BLOCKED),
                        byResult.get(RepairResult.PUBLISHED),
                        byResult.get(RepairResult.RECOMPUTED),
                        byResult.get(RepairResult.SKIPPED),
                        byResult.get(RepairResult.FAILED),
                        runId)
                == 1;
    }

    void fail(long runId, String error) {
        jdbc.update(
                "UPDATE reconciliation_run SET status = 'FAILED', finished_at = UTC_TIMESTAMP(6), error = ?"
                        + " WHERE id = ? AND status = 'RUNNING'",
                cut(error),
                runId);
    }

    /**
     * Marks runs still shown as running as failed: called by the holder of the run lease, so no such run can
     * really be running (its instance stopped or lost the lease).
     */
    int abandonRunning() {
        return jdbc.update("UPDATE reconciliation_run SET status = 'FAILED', finished_at = UTC_TIMESTAMP(6),"
                + " error = 'abandoned: its instance stopped or lost the run lease' WHERE status = 'RUNNING'");
    }

    Optional<RunReport> find(long runId) {
        return jdbc
                .query(
                        "SELECT " + RUN_COLUMNS + " FROM reconciliation_run WHERE id = ?",
                        ReconciliationRuns::report,
                        runId)
                .stream()
                .findFirst();
    }

    List<RunReport> recent(int limit) {
        return jdbc.query(
                "SELECT " + RUN_COLUMNS + " FROM reconciliation_run ORDER BY id DESC LIMIT ?",
                ReconciliationRuns::report,
                limit);
    }

    Optional<RunReport> running() {
        return jdbc
                .query(
                        "SELECT " + RUN_COLUMNS + " FROM reconciliation_run WHERE status = 'RUNNING' ORDER BY id DESC"
                                + " LIMIT 1",
                        ReconciliationRuns::report)
                .stream()
                .findFirst();
    }

    /** The last completed run (of any instance). */
    Optional<RunReport> lastCompleted() {
        return jdbc
                .query(
                        "SELECT " + RUN_COLUMNS + " FROM reconciliation_run WHERE status = 'COMPLETED' ORDER BY id DESC"
                                + " LIMIT 1",
                        ReconciliationRuns::report)
                .stream()
                .findFirst();
    }

    /** How many completed runs in a row, latest first, found drift (looks at the last 100). */
    int consecutiveRunsWithDrift() {
        List<Integer> totals = jdbc.queryForList(
                "SELECT drift_missing_link + drift_orphan_link + drift_stale_status + drift_wrong_task"
                        + " + drift_counter_mismatch + drift_blocked FROM reconciliation_run WHERE status = 'COMPLETED'"
                        + " ORDER BY id DESC LIMIT 100",
                Integer.class);
        int consecutive = 0;
        for (int total : totals) {
            if (total == 0) {
                break;
            }
            consecutive++;
        }
        return consecutive;
    }

    /** Drift entries of a run, optionally of one type, after the entry {@code afterId}, in id order. */
    List<StoredDrift> drift(long runId, DriftType type, long afterId, int limit) {
        return jdbc.query(
                "SELECT id, drift_type, order_id, task_id, expected, actual, repair, repair_detail, event_id,"
                        + " event_type, event_version, event_error FROM reconciliation_drift WHERE run_id = ? AND id > ?"
                        + (type == null ? "" : " AND drift_type = ?") + " ORDER BY id LIMIT ?",
                (rs, row) -> new StoredDrift(
                        rs.getLong(1),
                        new Drift(
                                DriftType.valueOf(rs.getString(2)),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getString(7) == null ? null : RepairResult.valueOf(rs.getString(7)),
                                rs.getString(8),
                                rs.getString(9) == null
                                        ? null
                                        : new ParkedHead(
                                                rs.getString(9),
                                                rs.getString(10),
                                                rs.getObject(11, Long.class),
                                                rs.getString(12)))),
                type == null
                        ? new Object[] {runId, afterId, limit}
                        : new Object[] {runId, afterId, type.name(), limit});
    }

    private static RunReport report(ResultSet rs, int row) throws SQLException {
        Map<DriftType, Integer> drift = new EnumMap<>(DriftType.class);
        drift.put(DriftType.MISSING_LINK, rs.getInt("drift_missing_link"));
        drift.put(DriftType.ORPHAN_LINK, rs.getInt("drift_orphan_link"));
        drift.put(DriftType.STALE_STATUS, rs.getInt("drift_stale_status"));
        drift.put(DriftType.WRONG_TASK, rs.getInt("drift_wrong_task"));
        drift.put(DriftType.COUNTER_MISMATCH, rs.getInt("drift_counter_mismatch"));
        drift.put(DriftType.BLOCKED, rs.getInt("drift_blocked"));
        Map<RepairResult, Integer> repairs = new EnumMap<>(RepairResult.class);
        repairs.put(RepairResult.PUBLISHED, rs.getInt("repairs_published"));
        repairs.put(RepairResult.RECOMPUTED, rs.getInt("repairs_recomputed"));
        repairs.put(RepairResult.SKIPPED, rs.getInt("repairs_skipped"));
        repairs.put(RepairResult.FAILED, rs.getInt("repairs_failed"));
        Instant changedSince = instant(rs, "changed_since");
        Instant finished = instant(rs, "finished_at");
        return new RunReport(
                rs.getLong("id"),
                rs.getString("trigger_type"),
                rs.getString("mode"),
                rs.getString("scope"),
                rs.getString("method"),
                (Integer) rs.getObject("scope_order_count", Integer.class),
                changedSince,
                rs.getString("requested_by"),
                rs.getString("instance"),
                rs.getString("status"),
                instant(rs, "started_at"),
                finished,
                finished == null ? null : rs.getLong("elapsed") / 1000,
                rs.getLong("orders_checked"),
                rs.getLong("links_checked"),
                rs.getInt("bucket_count"),
                rs.getInt("buckets_differing"),
                rs.getLong("rows_compared"),
                rs.getInt("candidates"),
                rs.getInt("in_flight"),
                rs.getInt("unsettled"),
                rs.getInt("lagging"),
                rs.getBoolean("candidates_truncated"),
                drift,
                drift.values().stream().mapToInt(Integer::intValue).sum(),
                repairs,
                rs.getString("error"));
    }

    /** The database stores UTC wall-clock times (DATETIME); read them as such, whatever the JVM's time zone. */
    private static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    static LocalDateTime utc(Instant instant) {
        return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Map<DriftType, Integer> countByType(List<Drift> drift) {
        Map<DriftType, Integer> counts = new EnumMap<>(DriftType.class);
        for (DriftType type : DriftType.values()) {
            counts.put(type, 0);
        }
        drift.forEach(d -> counts.merge(d.type(), 1, Integer::sum));
        return counts;
    }

    private static Map<RepairResult, Integer> countByResult(List<Drift> drift) {
        Map<RepairResult, Integer> counts = new EnumMap<>(RepairResult.class);
        for (RepairResult result : RepairResult.values()) {
            counts.put(result, 0);
        }
        drift.stream().filter(d -> d.repair() != null).forEach(d -> counts.merge(d.repair(), 1, Integer::sum));
        return counts;
    }

    private static String cut(String text) {
        return text == null || text.length() <= 500 ? text : text.substring(0, 497) + "...";
    }
}
