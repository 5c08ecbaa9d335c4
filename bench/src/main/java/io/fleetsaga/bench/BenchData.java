package io.fleetsaga.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The benchmark's data, written straight into both services' schemas with JDBC: {@code orders} orders, every one on a
 * task ({@code ordersPerTask} per task) in one of the statuses a link mirrors, and assignment-service's links, order
 * mirrors and task counters agreeing with them exactly. {@link #injectDrift} then breaks a known number of them.
 */
final class BenchData {

    /** Statuses of orders on a task, with the order version each has reached on the usual path. */
    enum Status {
        ASSIGNED(3, "ASSIGNMENT_PENDING"),
        DELIVERING(4, "ASSIGNED"),
        DELIVERED(5, "DELIVERING"),
        ON_HOLD(5, "DELIVERING");

        final long version;
        /** The status a link shows when it missed the order's last event. */
        final String previous;

        Status(long version, String previous) {
            this.version = version;
            this.previous = previous;
        }
    }

    /** Drift types as order-service names them. */
    enum Drift {
        MISSING_LINK,
        ORPHAN_LINK,
        STALE_STATUS,
        WRONG_TASK,
        COUNTER_MISMATCH
    }

    final int orders;
    final int ordersPerTask;
    final int tasks;
    private final String ordersUrl;
    private final String assignmentsUrl;
    private final String user;
    private final String password;

    BenchData(int orders, int ordersPerTask, String ordersUrl, String assignmentsUrl, String user, String password) {
        this.orders = orders;
        this.ordersPerTask = ordersPerTask;
        this.tasks = (orders + ordersPerTask - 1) / ordersPerTask;
        this.ordersUrl = batched(ordersUrl);
        this.assignmentsUrl = batched(assignmentsUrl);
        this.user = user;
        this.password = password;
    }

    private static String batched(String url) {
        return url + (url.contains("?") ? "&" : "?") + "rewriteBatchedStatements=true";
    }

    static String orderId(int i) {
        return String.format("ord-%08d", i);
    }

    static String taskId(int t) {
        return String.format("task-%06d", t);
    }

    /** A fixed, well-mixed status per order: 30% ASSIGNED, 20% DELIVERING, 40% DELIVERED, 10% ON_HOLD. */
    static Status status(int i) {
        long h = (i * 0x9E3779B97F4A7C15L) >>> 40;
        int p = (int) (h % 10);
        return p < 3 ? Status.ASSIGNED : p < 5 ? Status.DELIVERING : p < 9 ? Status.DELIVERED : Status.ON_HOLD;
    }

    int taskOf(int i) {
        return i / ordersPerTask;
    }

    /**
     * Writes order-service's orders (one connection) and assignment-service's links, mirrors and tasks (another, at
     * the same time), each table with one {@code INSERT … SELECT} from MariaDB's sequence engine ({@code
     * seq_0_to_<N-1>}): no rows cross the network, and into an empty table InnoDB builds the indexes by sorting
     * (its bulk insert, MariaDB ≥ 10.6). For that, and only in the seeding sessions, {@code unique_checks} and
     * {@code foreign_key_checks} are off (the rows are unique and consistent by construction; the links are written
     * before the tasks they name). The status of order {@code i} is {@link #status(int)}, computed in SQL with exact
     * decimal arithmetic and checked against this class afterwards ({@link #verifyStatuses()}).
     */
    void seed() throws Exception {
        if (orders < 1 || orders > 99_999_999 || tasks > 999_999) {
            throw new IllegalArgumentException("between 1 and 99,999,999 orders, at most 999,999 tasks: " + orders);
        }
        String numbered = "(SELECT seq, CONCAT('ord-', LPAD(seq, 8, '0')) AS id,"
                + " CONCAT('task-', LPAD(seq DIV " + ordersPerTask + ", 6, '0')) AS task_id,"
                // status(i): ((i * 0x9E3779B97F4A7C15) mod 2^64) >>> 40, mod 10, as Java's long arithmetic does
                + " MOD(MOD(CAST(seq AS DECIMAL(30, 0)) * 11400714819323198485, 18446744073709551616)"
                + " DIV 1099511627776, 10) AS p FROM seq_0_to_" + (orders - 1) + ") x";
        String status = "CASE WHEN x.p < 3 THEN 'ASSIGNED' WHEN x.p < 5 THEN 'DELIVERING' WHEN x.p < 9 THEN"
                + " 'DELIVERED' ELSE 'ON_HOLD' END";
        String version = "CASE WHEN x.p < 3 THEN 3 WHEN x.p < 5 THEN 4 ELSE 5 END";
        String updated = "TIMESTAMP '2025-01-01 00:00:00' + INTERVAL (60 + x.seq MOD 86400) SECOND";
        CompletableFuture<Void> orderSide = CompletableFuture.runAsync(() -> fill(
                ordersUrl,
                "INSERT INTO fleet_order (id, status, task_id, status_reason, version, created_at, updated_at)"
                        + " SELECT x.id, " + status + ", x.task_id, NULL, " + version + ", TIMESTAMP '2025-01-01"
                        + " 00:00:00', " + updated + " FROM " + numbered));
        fill(
                assignmentsUrl,
                "INSERT INTO task_order_link (order_id, task_id, order_status, order_version, linked_at, updated_at)"
                        + " SELECT x.id, x.task_id, " + status + ", " + version + ", TIMESTAMP '2025-01-01 00:00:00', "
                        + updated + " FROM " + numbered,
                "INSERT INTO order_mirror (order_id, task_id, status, order_version, updated_at)"
                        + " SELECT x.id, x.task_id, " + status + ", " + version + ", " + updated + " FROM " + numbered,
                // counters as the consumer keeps them: one per link, one more per DELIVERED link
                "INSERT INTO assignment_task (id, courier_id, capacity, status, assigned_count, delivered_count,"
                        + " created_at, updated_at, closed_at) SELECT task_id, CONCAT('courier-', SUBSTRING(task_id,"
                        + " 6)), " + (ordersPerTask + Math.max(1, ordersPerTask / 5)) + ", 'OPEN', COUNT(*),"
                        + " SUM(order_status = 'DELIVERED'), TIMESTAMP '2025-01-01 00:00:00', TIMESTAMP '2025-01-01"
                        + " 00:00:00', NULL FROM task_order_link GROUP BY task_id");
        orderSide.join();
        verifyStatuses();
    }

    private void fill(String url, String... inserts) {
        try (Connection c = connect(url);
                Statement s = c.createStatement()) {
            s.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0");
            for (String insert : inserts) {
                s.executeUpdate(insert);
                c.commit();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("seeding " + url, e);
        }
    }

    /** The seeded statuses, counted per status, must be those of {@link #status(int)} (guards the SQL's arithmetic). */
    private void verifyStatuses() throws SQLException {
        Map<String, Long> expected = new TreeMap<>();
        for (int i = 0; i < orders; i++) {
            expected.merge(status(i).name(), 1L, Long::sum);
        }
        for (String[] table : new String[][] {
            {ordersUrl, "SELECT status, COUNT(*) FROM fleet_order GROUP BY status"},
            {assignmentsUrl, "SELECT order_status, COUNT(*) FROM task_order_link GROUP BY order_status"}
        }) {
            Map<String, Long> seeded = new TreeMap<>();
            try (Connection c = connect(table[0]);
                    Statement s = c.createStatement();
                    var rs = s.executeQuery(table[1])) {
                while (rs.next()) {
                    seeded.put(rs.getString(1), rs.getLong(2));
                }
            }
            if (!seeded.equals(expected)) {
                throw new IllegalStateException("seeded statuses " + seeded + ", expected " + expected);
            }
        }
        try (Connection c = connect(ordersUrl);
                PreparedStatement q =
                        c.prepareStatement("SELECT id, status FROM fleet_order WHERE id < ? ORDER BY id")) {
            q.setString(1, orderId(Math.min(orders, 10_000)));
            try (var rs = q.executeQuery()) {
                for (int i = 0; rs.next(); i++) {
                    if (!rs.getString(1).equals(orderId(i))
                            || !rs.getString(2).equals(status(i).name())) {
                        throw new IllegalStateException("order " + i + " seeded as " + rs.getString(1) + " "
                                + rs.getString(2) + ", expected " + orderId(i) + " " + status(i));
                    }
                }
            }
        }
    }

    /**
     * Empties the seeded tables of both schemas (and order-service's per-order tables, empty here), so that the next
     * size is seeded into empty tables as the first one was. Runs and their drift rows stay.
     */
    void clear() throws SQLException {
        for (String[] tables : new String[][] {
            {ordersUrl, "fleet_order"}, {assignmentsUrl, "task_order_link", "order_mirror", "assignment_task"}
        }) {
            try (Connection c = connect(tables[0]);
                    Statement s = c.createStatement()) {
                s.execute("SET SESSION foreign_key_checks = 0"); // TRUNCATE of a table other tables refer to
                for (int i = 1; i < tables.length; i++) {
                    s.execute("TRUNCATE TABLE " + tables[i]);
                }
            }
        }
    }

    /** Refreshes the optimizer statistics of the seeded tables (InnoDB would do so on its own after bulk changes). */
    void analyze() throws SQLException {
        try (Connection c = connect(ordersUrl);
                Statement s = c.createStatement()) {
            s.execute("ANALYZE TABLE fleet_order");
        }
        try (Connection c = connect(assignmentsUrl);
                Statement s = c.createStatement()) {
            s.execute("ANALYZE TABLE assignment_task, task_order_link, order_mirror");
        }
    }

    /**
     * Breaks {@code perMille}‰ of the orders in assignment-service's schema — 40% stale status (the link missed the
     * order's last event), 25% missing links, 25% links on the wrong task, 10% orphan links (of orders order-service
     * does not know) — with the task counters kept agreeing with the links, then puts the counters of a few tasks
     * (one per 100,000 orders, at least one) off by one.
     *
     * @return the drift a run must report, by type
     */
    Map<Drift, Integer> injectDrift(int perMille) throws SQLException {
        int total = Math.max(1, (int) ((long) orders * perMille / 1000));
        int wrong = tasks < 2 ? 0 : total * 25 / 100;
        int missing = total * 25 / 100;
        int orphan = total * 10 / 100;
        int stale = total - wrong - missing - orphan;
        Random random = new Random(20250101L);
        Set<Integer> picked = new LinkedHashSet<>();
        while (picked.size() < stale + missing + wrong) {
            picked.add(random.nextInt(orders));
        }
        List<Integer> chosen = new ArrayList<>(picked);
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = connect(assignmentsUrl)) {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE task_order_link SET order_status = ?," + " order_version = ? WHERE order_id = ?")) {
                for (int i : chosen.subList(0, stale)) {
                    Status s = status(i);
                    update.setString(1, s.previous);
                    update.setLong(2, s.version - 1);
                    update.setString(3, orderId(i));
                    update.addBatch();
                }
                requireAllChanged(update.executeBatch(), "stale");
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM task_order_link WHERE order_id = ?")) {
                for (int i : chosen.subList(stale, stale + missing)) {
                    delete.setString(1, orderId(i));
                    delete.addBatch();
                }
                requireAllChanged(delete.executeBatch(), "missing");
            }
            try (PreparedStatement move =
                    c.prepareStatement("UPDATE task_order_link SET task_id = ?, updated_at = ? WHERE order_id = ?")) {
                for (int i : chosen.subList(stale + missing, stale + missing + wrong)) {
                    move.setString(1, taskId((taskOf(i) + 1) % tasks));
                    move.setTimestamp(2, now);
                    move.setString(3, orderId(i));
                    move.addBatch();
                }
                requireAllChanged(move.executeBatch(), "wrong task");
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO task_order_link"
                    + " (order_id, task_id, order_status, order_version, linked_at, updated_at)"
                    + " VALUES (?, ?, 'ASSIGNED', 3, ?, ?)")) {
                for (int k = 0; k < orphan; k++) {
                    insert.setString(1, String.format("ord-orphan-%06d", k));
                    insert.setString(2, taskId(random.nextInt(tasks)));
                    insert.setTimestamp(3, now);
                    insert.setTimestamp(4, now);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (Statement s = c.createStatement()) {
                // counters follow the links (one per link, one more per DELIVERED link), as the consumer keeps them
                s.executeUpdate("UPDATE assignment_task t LEFT JOIN (SELECT task_id, COUNT(*) AS a,"
                        + " SUM(order_status = 'DELIVERED') AS d FROM task_order_link GROUP BY task_id) x"
                        + " ON x.task_id = t.id SET t.assigned_count = COALESCE(x.a, 0),"
                        + " t.delivered_count = COALESCE(x.d, 0)");
            }
            int counters = Math.max(1, orders / 100_000);
            Set<Integer> offTasks = new LinkedHashSet<>();
            while (offTasks.size() < Math.min(counters, tasks)) {
                offTasks.add(random.nextInt(tasks));
            }
            try (PreparedStatement off =
                    c.prepareStatement("UPDATE assignment_task SET assigned_count = assigned_count + 1 WHERE id = ?")) {
                for (int t : offTasks) {
                    off.setString(1, taskId(t));
                    off.addBatch();
                }
                requireAllChanged(off.executeBatch(), "counter");
            }
            c.commit();
            Map<Drift, Integer> expected = new EnumMap<>(Drift.class);
            expected.put(Drift.MISSING_LINK, missing);
            expected.put(Drift.ORPHAN_LINK, orphan);
            expected.put(Drift.STALE_STATUS, stale);
            expected.put(Drift.WRONG_TASK, wrong);
            expected.put(Drift.COUNTER_MISMATCH, offTasks.size());
            return expected;
        }
    }

    private static void requireAllChanged(int[] counts, String what) {
        for (int n : counts) {
            if (n != 1 && n != Statement.SUCCESS_NO_INFO) {
                throw new IllegalStateException(what + ": a statement changed " + n + " rows instead of 1");
            }
        }
    }

    /** Table sizes (rows by the optimizer's estimate, data + index bytes) of a schema. */
    List<String> tableSizes(String url) throws SQLException {
        List<String> sizes = new ArrayList<>();
        try (Connection c = connect(url);
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT table_name, data_length, index_length FROM information_schema.tables"
                        + " WHERE table_schema = DATABASE() AND table_name IN ('fleet_order', 'assignment_task',"
                        + " 'task_order_link', 'order_mirror') ORDER BY table_name")) {
            while (rs.next()) {
                sizes.add(String.format(
                        "%s %.1f MiB data + %.1f MiB index",
                        rs.getString(1), rs.getLong(2) / 1048576.0, rs.getLong(3) / 1048576.0));
            }
        }
        return sizes;
    }

    String ordersUrl() {
        return ordersUrl;
    }

    String assignmentsUrl() {
        return assignmentsUrl;
    }

    Connection connect(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url, user, password);
        c.setAutoCommit(false);
        return c;
    }
}
