package io.fleetsaga.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The raw ceiling of the minimum work per status change on the same database server: plain JDBC (the services'
 * driver, Connector/J, one connection per client thread, prepared statements, no pool, no framework), per transaction
 * one {@code UPDATE} of an order row (status, version + 1, updated_at) and one {@code INSERT} of an outbox row, then
 * commit. Scratch schema {@value #SCHEMA}: {@code fleet_order} as order-service's migration V1 creates it, {@code
 * outbox_event} from the kit's own migration files (read from the classpath), so the row and its indexes are the
 * services'. Each client changes its own orders (no lock waits between clients), like the end-to-end load.
 */
final class JdbcCeiling {

    static final String SCHEMA = "e2e_ceiling";
    private static final int ORDERS_PER_CLIENT = 100;
    private static final String[] KIT_OUTBOX = {
        "db/kit/V0_1__kit_outbox.sql",
        "db/kit/V0_4_1__kit_outbox_failure_kind.sql",
        "db/kit/V0_5__kit_outbox_claim_index.sql"
    };
    /** order-service's V1__fleet_order.sql. */
    private static final String FLEET_ORDER = """
            CREATE TABLE fleet_order (
                id         VARCHAR(64) NOT NULL,
                status     VARCHAR(32) NOT NULL,
                task_id    VARCHAR(64) NULL,
                version    BIGINT      NOT NULL,
                created_at DATETIME(6) NOT NULL,
                updated_at DATETIME(6) NOT NULL,
                PRIMARY KEY (id),
                KEY ix_fleet_order_task (task_id)
            ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin""";
    /** About the size of an {@code OrderStateChanged} payload. */
    private static final String PAYLOAD = "{\"orderId\":\"%s\",\"status\":\"%s\",\"taskId\":\"t-ceiling-0001\","
            + "\"version\":%d,\"statusReason\":null,\"occurredAt\":\"2026-01-01T00:00:00.000000Z\"}";

    private final String jdbcUrl;
    private final String user;
    private final String password;

    JdbcCeiling(String serverJdbcUrl, String user, String password) {
        this.jdbcUrl = serverJdbcUrl;
        this.user = user;
        this.password = password;
    }

    /** Creates the scratch schema afresh with orders for up to {@code maxClients} clients. */
    void prepare(int maxClients) throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS outbox_event");
            st.execute("DROP TABLE IF EXISTS fleet_order");
            st.execute(FLEET_ORDER);
            for (String file : KIT_OUTBOX) {
                for (String statement : statements(file)) {
                    st.execute(statement);
                }
            }
            try (PreparedStatement insert =
                    c.prepareStatement("INSERT INTO fleet_order (id, status, task_id, version, created_at, updated_at)"
                            + " VALUES (?, 'ASSIGNED', 't-ceiling-0001', 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))")) {
                for (int client = 0; client < maxClients; client++) {
                    for (int i = 0; i < ORDERS_PER_CLIENT; i++) {
                        insert.setString(1, orderId(client, i));
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
        }
    }

    /** Transactions per second of {@code clients} threads for {@code duration} (after {@code warmup}). */
    double run(int clients, Duration warmup, Duration duration) throws InterruptedException {
        LongAdder committed = new LongAdder();
        AtomicBoolean counting = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        CountDownLatch done = new CountDownLatch(clients);
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int client = 0; client < clients; client++) {
            int own = client;
            Thread thread = new Thread(
                    () -> {
                        try {
                            work(own, committed, counting, stop);
                        } catch (Throwable e) {
                            failures.add(e);
                        } finally {
                            done.countDown();
                        }
                    },
                    "ceiling-" + client);
            thread.setDaemon(true);
            thread.start();
        }
        Thread.sleep(warmup.toMillis());
        counting.set(true);
        long start = System.nanoTime();
        Thread.sleep(duration.toMillis());
        long count = committed.sum();
        double seconds = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        done.await();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("ceiling client failed", failures.get(0));
        }
        return count / seconds;
    }

    private void work(int client, LongAdder committed, AtomicBoolean counting, AtomicBoolean stop) throws SQLException {
        String[] statuses = {"DELIVERING", "ON_HOLD", "RECEIVED", "ASSIGNED"};
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
                PreparedStatement update = c.prepareStatement(
                        "UPDATE fleet_order SET status = ?, version = version + 1, updated_at = UTC_TIMESTAMP(6)"
                                + " WHERE id = ?");
                PreparedStatement outbox = c.prepareStatement("INSERT INTO outbox_event (event_id, topic,"
                        + " aggregate_type, aggregate_id, aggregate_version, event_type, occurred_at, traceparent,"
                        + " payload, status, attempts, created_at, next_attempt_at) VALUES (?, 'fleet.order.events',"
                        + " 'FleetOrder', ?, ?, 'OrderStateChanged', ?, NULL, ?, 'PENDING', 0, UTC_TIMESTAMP(6),"
                        + " UTC_TIMESTAMP(6))")) {
            c.setAutoCommit(false);
            long[] versions = new long[ORDERS_PER_CLIENT];
            Arrays.fill(versions, 1);
            for (long n = 0; !stop.get(); n++) {
                int i = (int) (n % ORDERS_PER_CLIENT);
                String orderId = orderId(client, i);
                String status = statuses[(int) (versions[i] % statuses.length)];
                long version = ++versions[i];
                update.setString(1, status);
                update.setString(2, orderId);
                update.executeUpdate();
                outbox.setString(1, UUID.randomUUID().toString());
                outbox.setString(2, orderId);
                outbox.setLong(3, version);
                outbox.setTimestamp(4, Timestamp.from(Instant.now()));
                outbox.setString(5, String.format(PAYLOAD, orderId, status, version));
                outbox.executeUpdate();
                c.commit();
                if (counting.get()) {
                    committed.increment();
                }
            }
        }
    }

    private static String orderId(int client, int i) {
        return "o-ceiling-" + client + "-" + i;
    }

    private static List<String> statements(String resource) throws IOException {
        try (InputStream in = JdbcCeiling.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("not on the classpath: " + resource);
            }
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            StringBuilder withoutComments = new StringBuilder();
            for (String line : sql.split("\n")) {
                if (!line.strip().startsWith("--")) {
                    withoutComments.append(line).append('\n');
                }
            }
            return Arrays.stream(withoutComments.toString().split(";"))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
        }
    }
}
