package io.fleetsaga.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fleetsaga.common.support.KitDatabase;
import io.fleetsaga.common.support.Outboxes;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The claim itself: {@code FOR UPDATE SKIP LOCKED} really skips (TESTING.md: a dialect that silently drops
 * SKIP LOCKED makes claimers block), and a row held by another claimer still blocks the later rows of
 * its aggregate.
 */
class OutboxClaimIT {

    static KitDatabase db;
    static JdbcOutboxStore store;
    final ExecutorService holder = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void setUp() {
        db = KitDatabase.create("claim");
        store = new JdbcOutboxStore(db.dataSource, db.transactionManager);
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @BeforeEach
    void clean() {
        db.jdbc.update("DELETE FROM outbox_event");
    }

    @Test
    void concurrentClaimersSkipEachOthersRowsInsteadOfWaiting() throws Exception {
        appendOnePerAggregate(10);
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<List<Long>> first = holdLocks(
                "SELECT id FROM outbox_event WHERE status = 'PENDING' ORDER BY id LIMIT 5 FOR UPDATE SKIP LOCKED",
                locked,
                release);
        assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();

        List<OutboxRecord> second = assertTimeoutPreemptively(
                Duration.ofSeconds(5), () -> store.claim(UUID.randomUUID().toString(), 10, Duration.ofSeconds(30)));
        release.countDown();

        List<Long> firstIds = first.get(10, TimeUnit.SECONDS);
        assertThat(firstIds).hasSize(5);
        assertThat(second).hasSize(5).extracting(OutboxRecord::id).doesNotContainAnyElementsOf(firstIds);
    }

    @Test
    void aRowHeldByAnotherClaimerStillBlocksTheLaterRowsOfItsAggregate() throws Exception {
        db.tx.executeWithoutResult(s -> {
            store.append("t", Outboxes.event("a", 1));
            store.append("t", Outboxes.event("a", 2));
            store.append("t", Outboxes.event("b", 1));
        });
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<List<Long>> first = holdLocks(
                "SELECT id FROM outbox_event WHERE aggregate_id = 'a' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                locked,
                release);
        assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();

        List<OutboxRecord> claimed = assertTimeoutPreemptively(
                Duration.ofSeconds(5), () -> store.claim(UUID.randomUUID().toString(), 10, Duration.ofSeconds(30)));
        release.countDown();
        first.get(10, TimeUnit.SECONDS);

        assertThat(claimed).extracting(r -> r.envelope().aggregateId()).containsExactly("b");
    }

    @Test
    void aClaimedRowIsInvisibleToOtherClaimersUntilItsClaimExpires() {
        appendOnePerAggregate(3);

        List<OutboxRecord> first = store.claim("relay-1", 10, Duration.ofMillis(300));
        List<OutboxRecord> second = store.claim("relay-2", 10, Duration.ofMillis(300));

        assertThat(first).hasSize(3).allSatisfy(r -> assertThat(r.attempt()).isEqualTo(1));
        assertThat(second).isEmpty();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> store.claim("relay-3", 10, Duration.ofSeconds(30)).size() == 3);
        assertThat(store.markSent(
                        "relay-1", first.stream().map(OutboxRecord::id).toList()))
                .as("the expired claimer can no longer mark the rows")
                .isZero();
    }

    /**
     * Issue 13: the claim walked the primary key past every SENT row the retention keeps (26,116 rows read to claim
     * 100), and its head check read an aggregate's whole history. Rows read are counted by the server on one
     * connection ({@code Handler_read_*}); SENT rows must not be among them.
     */
    @Test
    void aClaimReadsOnlyUnsentRowsHoweverManySentRowsPrecedeThem() {
        insertSent("cold-", 20_000); // 20,000 aggregates with one sent event each
        insertSent("hot", 5_000); // one aggregate with 5,000 sent events
        db.tx.executeWithoutResult(s -> {
            store.append("t", Outboxes.event("hot", 5_001));
            for (int i = 0; i < 10; i++) {
                store.append("t", Outboxes.event("new-" + i, 1));
            }
        });
        db.jdbc.execute("ANALYZE TABLE outbox_event");
        SingleConnectionDataSource connection = new SingleConnectionDataSource(
                db.dataSource.getJdbcUrl(), db.dataSource.getUsername(), db.dataSource.getPassword(), true);
        try {
            JdbcOutboxStore oneConnection =
                    new JdbcOutboxStore(connection, new DataSourceTransactionManager(connection));
            JdbcTemplate session = new JdbcTemplate(connection);

            long before = rowsRead(session);
            List<OutboxRecord> claimed = oneConnection.claim("relay", 100, Duration.ofSeconds(30));
            long read = rowsRead(session) - before;

            assertThat(claimed)
                    .hasSize(11)
                    .extracting(r -> r.envelope().aggregateId())
                    .contains("hot", "new-9");
            assertThat(read)
                    .as("rows the claim read (Handler_read_*) behind 25,000 sent rows")
                    .isLessThan(500);
        } finally {
            connection.destroy();
        }
    }

    private static void insertSent(String aggregatePrefix, int rows) {
        for (int from = 0; from < rows; from += 1000) {
            StringBuilder sql = new StringBuilder("INSERT INTO outbox_event (event_id, topic, aggregate_type,"
                    + " aggregate_id, aggregate_version, event_type, occurred_at, payload, status, attempts, created_at,"
                    + " next_attempt_at, sent_at) VALUES ");
            for (int i = from; i < Math.min(rows, from + 1000); i++) {
                String aggregate = aggregatePrefix.endsWith("-") ? aggregatePrefix + i : aggregatePrefix;
                sql.append(i == from ? "" : ",")
                        .append("('")
                        .append(UUID.randomUUID())
                        .append("', 't', 'Parcel', '")
                        .append(aggregate)
                        .append("', ")
                        .append(i + 1)
                        .append(", 'ParcelMoved', UTC_TIMESTAMP(6), '{}', 'SENT', 1, UTC_TIMESTAMP(6),"
                                + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))");
            }
            db.jdbc.update(sql.toString());
        }
    }

    /** Rows this session's statements read so far (index and table reads of every kind). */
    private static long rowsRead(JdbcTemplate session) {
        return session.query(
                "SHOW SESSION STATUS LIKE 'Handler_read%'",
                rs -> {
                    long sum = 0;
                    while (rs.next()) {
                        sum += rs.getLong(2);
                    }
                    return sum;
                });
    }

    @Test
    void lanesClaimOnlyTheirOwnTopics() {
        db.tx.executeWithoutResult(s -> {
            store.append("fleet.order.events", Outboxes.event("k-1", 1));
            store.append("webhook:courier", Outboxes.event("w-1", 1));
            store.append("webhook_other", Outboxes.event("u-1", 1)); // '_' must not act as a LIKE wildcard
        });

        List<OutboxRecord> webhooks = store.claim(
                UUID.randomUUID().toString(), 10, Duration.ofSeconds(30), OutboxLane.only("webhook", "webhook:"));
        List<OutboxRecord> others = store.claim(
                UUID.randomUUID().toString(), 10, Duration.ofSeconds(30), OutboxLane.excluding("kafka", "webhook:"));

        assertThat(webhooks).extracting(OutboxRecord::topic).containsExactly("webhook:courier");
        assertThat(others).extracting(OutboxRecord::topic).containsExactly("fleet.order.events", "webhook_other");
    }

    private void appendOnePerAggregate(int count) {
        db.tx.executeWithoutResult(s -> {
            for (int i = 0; i < count; i++) {
                store.append("t", Outboxes.event("agg-" + i, 1));
            }
        });
    }

    private Future<List<Long>> holdLocks(String sql, CountDownLatch locked, CountDownLatch release) {
        TransactionTemplate tx = new TransactionTemplate(db.transactionManager);
        tx.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
        return holder.submit(() -> tx.execute(s -> {
            List<Long> ids = db.jdbc.queryForList(sql, Long.class);
            locked.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ids;
        }));
    }
}
