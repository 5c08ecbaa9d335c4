package io.fleetsaga.order.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.lease.Lease;
import io.fleetsaga.common.reconciliation.BucketDigests;
import io.fleetsaga.order.reconciliation.AssignmentFacts.CounterMismatch;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A run's order of work, with both sides faked: what it reads, when, and that the findings do not depend on it. */
class ReconcilerTests {

    private static final int BUCKETS = 256;
    private static final BucketDigests AGREEING =
            new BucketDigests(BUCKETS, 2, new int[] {3, 7}, new long[] {1, 1}, new long[] {11, 13});
    private static final CounterMismatch OFF_BY_ONE = new CounterMismatch("t-1", 3, 2, 0, 0);

    @Test
    void checksEveryTasksCountersWhileBothSidesDigestAndFindsTheSame() throws Exception {
        CountDownLatch counterCheckStarted = new CountDownLatch(1);
        List<String> calls = new ArrayList<>();
        // both digests wait for the counter check of all tasks: they finish only if it runs at the same time
        FakeOrders orders = new FakeOrders(counterCheckStarted);
        FakeAssignments assignments = new FakeAssignments(counterCheckStarted, calls);
        Reconciler reconciler = new Reconciler(orders, assignments, null, settings());

        Reconciler.Findings findings = reconciler.reconcile(RunRequest.scheduled(RunRequest.Mode.DRY_RUN), () -> {});

        assertThat(orders.digestsWaited).isTrue();
        assertThat(assignments.digestsWaited).isTrue();
        assertThat(calls).containsExactly("counterCheck(all)", "counterCheck([t-1])");
        assertThat(findings.ordersChecked).isEqualTo(2);
        assertThat(findings.linksChecked).isEqualTo(2);
        assertThat(findings.bucketCount).isEqualTo(BUCKETS);
        assertThat(findings.bucketsDiffering).isZero();
        assertThat(findings.candidates).isEqualTo(1);
        assertThat(findings.drift).singleElement().satisfies(d -> {
            assertThat(d.type()).isEqualTo(DriftType.COUNTER_MISMATCH);
            assertThat(d.taskId()).isEqualTo("t-1");
            assertThat(d.expected()).isEqualTo("assigned=2, delivered=0");
            assertThat(d.actual()).isEqualTo("assigned=3, delivered=0");
        });
    }

    private static ReconciliationSettings settings() {
        return new ReconciliationSettings(
                false,
                Duration.ofMinutes(10),
                RunRequest.Mode.DRY_RUN,
                Duration.ZERO,
                3,
                1000,
                16,
                BUCKETS,
                65536,
                100_000,
                Duration.ofSeconds(30),
                Duration.ofSeconds(15),
                Duration.ofSeconds(10),
                new ReconciliationSettings.AssignmentService(
                        URI.create("http://localhost:8082"),
                        "service",
                        "secret",
                        Duration.ofSeconds(2),
                        Duration.ofMinutes(2)));
    }

    private static boolean waitFor(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Two orders on tasks, nothing parked; its digest waits for the counter check to have started. */
    private static final class FakeOrders extends OrderFacts {

        private final CountDownLatch counterCheckStarted;
        volatile boolean digestsWaited;

        FakeOrders(CountDownLatch counterCheckStarted) {
            super(null);
            this.counterCheckStarted = counterCheckStarted;
        }

        @Override
        long count() {
            return 2;
        }

        @Override
        public BucketDigests digests(int bucketCount) {
            digestsWaited = waitFor(counterCheckStarted);
            return AGREEING;
        }

        @Override
        ParkedHeadPage parkedHeads(long afterId, int limit) {
            return new ParkedHeadPage(Map.of(), -1);
        }
    }

    /** Links agreeing with the orders, one task's counters off by one (still so when checked again). */
    private static final class FakeAssignments implements AssignmentFacts {

        private final CountDownLatch counterCheckStarted;
        private final List<String> calls;
        volatile boolean digestsWaited;

        FakeAssignments(CountDownLatch counterCheckStarted, List<String> calls) {
            this.counterCheckStarted = counterCheckStarted;
            this.calls = calls;
        }

        @Override
        public BucketDigests digests(int bucketCount) {
            digestsWaited = waitFor(counterCheckStarted);
            return AGREEING;
        }

        @Override
        public synchronized List<CounterMismatch> counterCheck(Collection<String> taskIds) {
            calls.add(taskIds == null ? "counterCheck(all)" : "counterCheck(" + taskIds + ")");
            counterCheckStarted.countDown();
            return List.of(OFF_BY_ONE);
        }

        @Override
        public FactPage page(int bucketCount, int[] buckets, String after, int limit) {
            throw new UnsupportedOperationException("no bucket differs");
        }

        @Override
        public List<OrderFact> byOrderIds(Collection<String> orderIds) {
            throw new UnsupportedOperationException("no order differs");
        }

        @Override
        public List<Recomputed> recompute(Collection<String> taskIds, Lease lease) {
            throw new UnsupportedOperationException("a dry run");
        }

        @Override
        public LogPositions applied() {
            throw new UnsupportedOperationException("no order differs");
        }
    }
}
