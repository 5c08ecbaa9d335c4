package io.fleetsaga.common.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.support.KitDatabase;
import io.fleetsaga.infra.Concurrently;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Item 6 of the foundation: incident I-5's non-atomic lock and release by a non-owner, fixed. */
class LeaseManagerIT {

    static KitDatabase db;
    static LeaseManager leases;

    @BeforeAll
    static void setUp() {
        db = KitDatabase.create("lease");
        db.jdbc.execute("CREATE TABLE mailing (id INT PRIMARY KEY, sent_by VARCHAR(50))");
        db.jdbc.update("INSERT INTO mailing VALUES (1, NULL)");
        leases = new LeaseManager(db.dataSource, db.transactionManager, List.of());
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @Test
    void eightThreadsRaceAndExactlyOneBecomesTheOwner() throws Exception {
        for (int round = 0; round < 5; round++) {
            String name = "race-" + round;
            List<Callable<Optional<Lease>>> racers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String owner = "worker-" + i;
                racers.add(() -> leases.tryAcquire(name, owner, Duration.ofSeconds(30)));
            }

            List<Optional<Lease>> results = Concurrently.run(racers, racers.size());

            List<Lease> winners = results.stream().flatMap(Optional::stream).toList();
            assertThat(winners).hasSize(1);
            assertThat(winners.get(0).fencingToken()).isEqualTo(1);
            assertThat(db.jdbc.queryForObject("SELECT owner FROM lease WHERE name = ?", String.class, name))
                    .isEqualTo(winners.get(0).owner());
        }
    }

    @Test
    void aHeldLeaseCannotBeTakenAndOnlyItsOwnerReleasesIt() {
        Lease lease = leases.tryAcquire("held", "a", Duration.ofSeconds(30)).orElseThrow();

        assertThat(leases.tryAcquire("held", "b", Duration.ofSeconds(30))).isEmpty();
        assertThat(leases.release(new Lease("held", "b", lease.fencingToken()))).isFalse();
        assertThat(leases.isHeld(lease)).isTrue();

        assertThat(leases.release(lease)).isTrue();
        Lease next = leases.tryAcquire("held", "b", Duration.ofSeconds(30)).orElseThrow();
        assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
    }

    @Test
    void anOwnerWhoseLeaseExpiredAndWasTakenOverCanNeitherRenewNorReleaseNorWrite() {
        Lease stale =
                leases.tryAcquire("mailing", "worker-1", Duration.ofMillis(300)).orElseThrow();
        assertThat(leases.renew(stale, Duration.ofMillis(300))).isTrue();

        AtomicReference<Lease> taken = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> leases.tryAcquire("mailing", "worker-2", Duration.ofSeconds(30))
                        .map(l -> {
                            taken.set(l);
                            return true;
                        })
                        .orElse(false));
        Lease current = taken.get();

        assertThat(current.fencingToken()).isGreaterThan(stale.fencingToken());
        assertThat(leases.renew(stale, Duration.ofSeconds(30))).isFalse();
        assertThat(leases.release(stale)).isFalse();
        assertThat(leases.isHeld(current)).isTrue();
        assertThat(leases.isHeld(stale)).isFalse();

        assertThatThrownBy(() -> db.tx.executeWithoutResult(s -> leases.fenced(stale, () -> send("worker-1"))))
                .isInstanceOf(LeaseLostException.class);
        assertThat(sentBy()).isNull();

        db.tx.executeWithoutResult(s -> leases.fenced(current, () -> send("worker-2")));
        assertThat(sentBy()).isEqualTo("worker-2");
    }

    @Test
    void aFencedWriteHoldsOffATakeOverUntilItCommits() throws Exception {
        Lease lease = leases.tryAcquire("fence", "a", Duration.ofMillis(500)).orElseThrow();
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> writer = pool.submit(() -> db.tx.executeWithoutResult(s -> leases.fenced(lease, () -> {
                checked.countDown();
                awaitLatch(finish);
                return null;
            })));
            assertThat(checked.await(10, TimeUnit.SECONDS)).isTrue();
            // let the lease expire while the fenced transaction is still open
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> Boolean.TRUE.equals(db.jdbc.queryForObject(
                            "SELECT expires_at <= UTC_TIMESTAMP(6) FROM lease WHERE name = 'fence'", Boolean.class)));
            Future<Optional<Lease>> takeOver = Executors.newSingleThreadExecutor()
                    .submit(() -> leases.tryAcquire("fence", "b", Duration.ofSeconds(30)));
            await().during(Duration.ofMillis(700))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> !takeOver.isDone()); // the take-over waits for the fenced transaction
            finish.countDown();
            writer.get(10, TimeUnit.SECONDS);
            assertThat(takeOver.get(10, TimeUnit.SECONDS)).isPresent();
        } finally {
            finish.countDown();
            pool.shutdownNow();
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int send(String worker) {
        return db.jdbc.update("UPDATE mailing SET sent_by = ? WHERE id = 1", worker);
    }

    private static String sentBy() {
        return db.jdbc.queryForObject("SELECT sent_by FROM mailing WHERE id = 1", String.class);
    }
}
