package io.fleetsaga.order.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.lease.LeaseManager;
import io.fleetsaga.infra.Concurrently;
import io.fleetsaga.infra.SpringInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * One run at a time, on the real database: instances that fire the same schedule slot at once create one run; a
 * run left RUNNING by a stopped instance is marked failed by the next lease holder; stored times are UTC whatever
 * the JVM's zone. (assignment-service is not running here: the runs themselves fail, which is not what is tested.)
 */
@SpringBootTest(properties = "fleetsaga.reconciliation.assignment-service.url=http://127.0.0.1:9")
@DirtiesContext
class ReconciliationLeaseIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_recon_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Autowired
    Reconciler reconciler;

    @Autowired
    Repairs repairs;

    @Autowired
    ReconciliationRuns runs;

    @Autowired
    LeaseManager leases;

    @Autowired
    ReconciliationMetrics metrics;

    @Autowired
    ReconciliationSettings settings;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void eightInstancesFiringOneSlotAtOnceCreateOneRun() throws Exception {
        long slot = 1_000_000L + System.nanoTime() % 1_000_000L;
        List<ReconciliationService> instances = new ArrayList<>();
        List<Callable<OptionalLong>> fire = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ReconciliationService instance =
                    new ReconciliationService(reconciler, repairs, runs, leases, metrics, settings, transactions);
            instances.add(instance);
            fire.add(() -> instance.startScheduled(slot));
        }
        try {
            List<OptionalLong> started = Concurrently.run(fire);

            assertThat(started.stream().filter(OptionalLong::isPresent)).hasSize(1);
            assertThat(jdbc.queryForObject(
                            "SELECT COUNT(*) FROM reconciliation_run WHERE scheduled_slot = ?", Long.class, slot))
                    .isOne();
            awaitNoneRunning();
            // the slot is taken for good: an instance firing late does not run it again
            assertThat(instances.get(0).startScheduled(slot)).isEmpty();
        } finally {
            instances.forEach(ReconciliationService::destroy);
        }
    }

    @Test
    void aRunLeftRunningByAStoppedInstanceIsMarkedFailedByTheNextLeaseHolder() {
        long orphan = runs.start("MANUAL", null, RunRequest.scheduled(RunRequest.Mode.DRY_RUN), "ops", "gone/1")
                .orElseThrow();
        ReconciliationService next =
                new ReconciliationService(reconciler, repairs, runs, leases, metrics, settings, transactions);
        try {
            RunReport started = next.start(RunRequest.scheduled(RunRequest.Mode.DRY_RUN), "ops");

            RunReport abandoned = runs.find(orphan).orElseThrow();
            assertThat(abandoned.status()).isEqualTo("FAILED");
            assertThat(abandoned.error()).contains("abandoned");
            assertThat(started.id()).isGreaterThan(orphan);
            awaitNoneRunning();
        } finally {
            next.destroy();
        }
    }

    @Test
    void storedTimesAreUtcAndTheDurationIsMeasuredByTheDatabaseClock() {
        Instant before = Instant.now().minusSeconds(5);
        Instant since = Instant.parse("2026-01-02T03:04:05.123456Z");
        long id = runs.start(
                        "MANUAL",
                        null,
                        new RunRequest(
                                RunRequest.Mode.DRY_RUN,
                                RunRequest.Scope.CHANGED_SINCE,
                                RunRequest.Method.DIGEST,
                                null,
                                since),
                        "ops",
                        "here/1")
                .orElseThrow();
        runs.fail(id, "test");

        RunReport run = runs.find(id).orElseThrow();
        assertThat(run.changedSince()).isEqualTo(since);
        assertThat(run.startedAt()).isBetween(before, Instant.now().plusSeconds(5));
        assertThat(run.durationMillis()).isNotNull().isNotNegative();
    }

    private void awaitNoneRunning() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> jdbc.queryForObject(
                                "SELECT COUNT(*) FROM reconciliation_run WHERE status = 'RUNNING'", Long.class)
                        == 0);
    }
}
