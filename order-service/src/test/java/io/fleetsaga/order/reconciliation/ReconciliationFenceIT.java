package io.fleetsaga.order.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.lease.Lease;
import io.fleetsaga.common.lease.LeaseManager;
import io.fleetsaga.common.reconciliation.BucketDigests;
import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.order.messaging.OrderTopics;
import io.fleetsaga.order.support.StatementFaults;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A reconciliation holder that may no longer hold its lease writes nothing (ARCHITECTURE rule 6), on the real
 * database: a run whose renewal fails stops, and a holder frozen past its lease has its repair refused by the fence
 * after another instance took the lease over. The run is a REPAIR run of one order that assignment-service (played
 * here: it knows no link) is missing, so a run that goes on writes an {@code OrderStateRepair} outbox row and a
 * drift row. Faults are injected at the JDBC boundary by thread ({@link StatementFaults}); the database is real.
 */
@SpringBootTest(
        properties = {
            "fleetsaga.reconciliation.schedule=false",
            "fleetsaga.reconciliation.lease-ttl=6s",
            "fleetsaga.reconciliation.grace-period=100ms"
        })
@DirtiesContext
class ReconciliationFenceIT {

    static final String RUN_THREAD = "reconciliation-run";
    static final String RENEWAL_THREAD = "reconciliation-lease";
    static final StatementFaults faults = new StatementFaults();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(
                registry, "order_fence_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @TestConfiguration
    static class Faults {

        @Bean
        static BeanPostProcessor statementFaults() {
            return StatementFaults.installedIn(faults);
        }

        @Bean
        @Primary
        AssignmentServiceDouble assignmentServiceDouble() {
            return new AssignmentServiceDouble();
        }
    }

    @Autowired
    ReconciliationService service;

    @Autowired
    AssignmentServiceDouble assignments;

    @Autowired
    LeaseManager leases;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MeterRegistry meters;

    final String order = "o-fence-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void removeFaults() {
        faults.reset();
        assignments.open();
        assignments.miscount(null);
    }

    @Test
    void aRunWhoseLeaseRenewalFailsStopsAndWritesNothingMore() {
        assignedOrderWithoutLink();
        assignments.holdNextLookup();
        RunReport run = service.start(repairOf(order), "ops");
        assignments.awaitHeld();

        // the run is between two steps; from now on its lease cannot be renewed (the connection breaks)
        faults.fail(call -> call.by(RENEWAL_THREAD));
        await().atMost(Duration.ofSeconds(20)).until(() -> faults.failures() >= 1);
        assignments.open();

        await().atMost(Duration.ofSeconds(30)).until(() -> !"RUNNING".equals(status(run.id())));
        assertThat(repairsPublished()).as("OrderStateRepair rows of the order").isZero();
        assertThat(driftRows(run.id())).as("drift rows of the run").isZero();
        RunReport stopped = service.find(run.id()).orElseThrow();
        assertThat(stopped.status()).isEqualTo("FAILED");
        assertThat(stopped.error()).contains("renew");
    }

    @Test
    void aHolderFrozenPastItsLeaseHasItsRepairRefusedByTheFenceAfterATakeOver() {
        assignedOrderWithoutLink();
        // the whole instance freezes as its run is about to lock the order for the repair: run and renewal thread
        faults.freeze(
                call -> call.by(RUN_THREAD) && call.sqlContains("fleet_order", "for update"),
                Set.of(RUN_THREAD, RENEWAL_THREAD));
        double runsEnded = runsEnded();
        RunReport run = service.start(repairOf(order), "ops");
        await().atMost(Duration.ofSeconds(30)).until(() -> faults.isFrozen(RUN_THREAD));
        await().atMost(Duration.ofSeconds(30)).until(this::leaseExpired);
        Lease successor = leases.tryAcquire(ReconciliationService.LEASE, "successor/1", Duration.ofMinutes(1))
                .orElseThrow();
        try {
            // the run thread wakes up first, inside its repair, before its renewal thread noticed anything
            faults.thaw(RUN_THREAD);
            await().atMost(Duration.ofSeconds(30)).until(() -> runsEnded() > runsEnded);

            assertThat(repairsPublished())
                    .as("OrderStateRepair rows of the order after the take-over")
                    .isZero();
            assertThat(driftRows(run.id())).as("drift rows of the run").isZero();
            assertThat(status(run.id()))
                    .as("the stale holder completed nothing and could not even record its failure")
                    .isEqualTo("RUNNING");
        } finally {
            faults.thaw(RENEWAL_THREAD);
            leases.release(successor);
        }
    }

    @Test
    void aCounterRepairCarriesTheFencingTokenOfTheRunsLease() {
        assignedOrderWithoutLink();
        assignments.miscount("t-" + order);
        RunReport run = service.start(repairOf(order), "ops");

        await().atMost(Duration.ofSeconds(30)).until(() -> !"RUNNING".equals(status(run.id())));
        assertThat(status(run.id())).isEqualTo("COMPLETED");
        long token = jdbc.queryForObject(
                "SELECT fencing_token FROM lease WHERE name = ?", Long.class, ReconciliationService.LEASE);
        assertThat(assignments.recomputed).singleElement().satisfies(call -> {
            assertThat(call.taskIds()).containsExactly("t-" + order);
            assertThat(call.lease().name()).isEqualTo(ReconciliationService.LEASE);
            assertThat(call.lease().fencingToken()).isEqualTo(token);
        });
    }

    private void assignedOrderWithoutLink() {
        jdbc.update(
                "INSERT INTO fleet_order (id, status, task_id, version, created_at, updated_at)"
                        + " VALUES (?, 'ASSIGNED', ?, 3, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                order,
                "t-" + order);
    }

    private RunRequest repairOf(String orderId) {
        return new RunRequest(
                RunRequest.Mode.REPAIR, RunRequest.Scope.ORDERS, RunRequest.Method.DIGEST, List.of(orderId), null);
    }

    private String status(long runId) {
        return jdbc.queryForObject("SELECT status FROM reconciliation_run WHERE id = ?", String.class, runId);
    }

    private long repairsPublished() {
        return jdbc.queryForObject(
                "SELECT COUNT(*) FROM outbox_event WHERE aggregate_id = ? AND event_type = ?",
                Long.class,
                order,
                Repairs.EVENT_TYPE);
    }

    private long driftRows(long runId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM reconciliation_drift WHERE run_id = ?", Long.class, runId);
    }

    private boolean leaseExpired() {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT expires_at <= UTC_TIMESTAMP(6) FROM lease WHERE name = ?",
                Boolean.class,
                ReconciliationService.LEASE));
    }

    private double runsEnded() {
        return meters.find("reconciliation.runs").counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    /**
     * Plays assignment-service: it has no link at all and may count one task wrong; a lookup can be held to keep a
     * run between two steps.
     */
    static final class AssignmentServiceDouble implements AssignmentFacts {

        record Recompute(List<String> taskIds, Lease lease) {}

        final List<Recompute> recomputed = new CopyOnWriteArrayList<>();
        private volatile String miscounted;
        private volatile CountDownLatch held = new CountDownLatch(0);
        private volatile CountDownLatch gate = new CountDownLatch(0);

        void holdNextLookup() {
            held = new CountDownLatch(1);
            gate = new CountDownLatch(1);
        }

        void awaitHeld() {
            await().atMost(Duration.ofSeconds(30)).until(() -> held.getCount() == 0);
        }

        void open() {
            gate.countDown();
        }

        void miscount(String taskId) {
            miscounted = taskId;
        }

        @Override
        public List<OrderFact> byOrderIds(Collection<String> orderIds) {
            if (held.getCount() > 0) {
                held.countDown();
                try {
                    if (!gate.await(1, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("held lookup never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return List.of();
        }

        @Override
        public BucketDigests digests(int bucketCount) {
            throw new UnsupportedOperationException("runs of scope ORDERS only");
        }

        /** Its consumer is never behind: every difference the run confirms counts as drift, none as lagging. */
        @Override
        public LogPositions applied() {
            Map<LogPartition, Long> caughtUp = new HashMap<>();
            for (int partition = 0; partition < 64; partition++) {
                caughtUp.put(new LogPartition(OrderTopics.ORDER_EVENTS, partition), Long.MAX_VALUE);
            }
            return new LogPositions(caughtUp);
        }

        @Override
        public FactPage page(int bucketCount, int[] buckets, String after, int limit) {
            throw new UnsupportedOperationException("runs of scope ORDERS only");
        }

        @Override
        public List<CounterMismatch> counterCheck(Collection<String> taskIds) {
            String task = miscounted;
            return task != null && taskIds != null && taskIds.contains(task)
                    ? List.of(new CounterMismatch(task, 2, 0, 0, 0))
                    : List.of();
        }

        @Override
        public List<Recomputed> recompute(Collection<String> taskIds, Lease lease) {
            recomputed.add(new Recompute(List.copyOf(taskIds), lease));
            return taskIds.stream()
                    .map(id -> new Recomputed(id, true, 2L, 0L, 0L, 0L, true))
                    .toList();
        }
    }
}
