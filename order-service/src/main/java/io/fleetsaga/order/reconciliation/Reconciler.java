package io.fleetsaga.order.reconciliation;

import io.fleetsaga.common.reconciliation.BucketDigests;
import io.fleetsaga.common.reconciliation.FactDigestSql;
import io.fleetsaga.order.reconciliation.AssignmentFacts.CounterMismatch;
import io.fleetsaga.order.reconciliation.OrderFacts.OrderRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.stereotype.Component;

/**
 * Finds drift between order-service's orders (the truth) and assignment-service's links and counters.
 *
 * <p><b>How.</b> Scope {@code ALL} by {@code DIGEST}: both sides digest their facts over the same hash buckets
 * (one query each, run in parallel); only buckets whose digest or count differ are compared row by row, by
 * merging both sides' keyset-paged, id-ordered pages — memory stays bounded by a page and the differences found.
 * {@code FULL_SCAN} merges every row (the baseline). Scopes {@code ORDERS} and {@code CHANGED_SINCE} look
 * the orders up on both sides by id. Every task's counters (or, in a narrower scope, those of the tasks seen) are
 * checked against its links by assignment-service in one statement.
 *
 * <p><b>No false positives under live traffic.</b> A difference is only a candidate: the two sides were read
 * at different moments, and an event may be in flight. After the grace period each candidate is read again
 * from both sides; it counts as drift only if it is still there, its order did not change in between, the order
 * has no unpublished event in the outbox and none published within the grace period, no assignment saga owns it
 * ({@code ASSIGNMENT_PENDING}), <em>and assignment-service's consumer has applied everything published before the
 * order was last seen quiet</em>: when an order is seen with no unpublished event, the end of its partition of the
 * event log is noted ({@link EventLog#ends()}, read after the order); at the next re-check the consumer's committed
 * position in that partition ({@link AssignmentFacts#applied()}, read before the links) must have reached it. An
 * order that keeps changing is re-checked up to {@code maxRechecks} times and then reported as unsettled; one whose
 * consumer is still behind as lagging — neither is drift. A counter mismatch counts if it is still there after the
 * grace period.
 *
 * <p><b>Held back orders.</b> An order whose oldest unpublished event is parked cannot publish anything until that
 * event is re-queued or superseded, whatever the two sides hold now: it is {@link DriftType#BLOCKED} drift, found
 * from the outbox itself (also when both sides agree), reported with the parked event, and never "still moving".
 */
@Component
class Reconciler {

    /** Most buckets named in one page request (larger sets are paged in several passes). */
    static final int BUCKETS_PER_PASS = 4096;

    private static final int LOOKUP_CHUNK = 1000;

    /** Checks, between steps, that the run may go on (its lease is still held); throws otherwise. */
    interface Checkpoint {
        void check();
    }

    private final OrderFacts orders;
    private final AssignmentFacts assignments;
    private final EventLog log;
    private final ReconciliationSettings settings;

    Reconciler(OrderFacts orders, AssignmentFacts assignments, EventLog log, ReconciliationSettings settings) {
        this.orders = orders;
        this.assignments = assignments;
        this.log = log;
        this.settings = settings;
    }

    Findings reconcile(RunRequest request, Checkpoint checkpoint) throws InterruptedException {
        Comparison comparison = new Comparison(checkpoint);
        switch (request.scope()) {
            case ALL -> {
                if (request.method() == RunRequest.Method.DIGEST) {
                    comparison.byDigests();
                } else {
                    comparison.stats.ordersChecked = orders.count();
                    comparison.merge(1, new int[0]);
                }
                comparison.allParkedHeads();
            }
            case ORDERS -> comparison.byIds(new LinkedHashSet<>(request.orderIds()));
            case CHANGED_SINCE -> {
                String after = null;
                List<String> page;
                do {
                    checkpoint.check();
                    page = orders.changedSince(request.changedSince(), after, settings.pageSize());
                    comparison.byIds(page);
                    after = page.isEmpty() ? null : page.get(page.size() - 1);
                } while (page.size() == settings.pageSize());
            }
        }
        List<CounterMismatch> mismatches = request.scope() == RunRequest.Scope.ALL
                ? assignments.counterCheck(null)
                : counterCheck(comparison.tasksSeen);
        comparison.stats.candidates += mismatches.size();
        return comparison.confirm(mismatches);
    }

    private List<CounterMismatch> counterCheck(Collection<String> taskIds) {
        List<String> ids = List.copyOf(taskIds);
        List<CounterMismatch> mismatches = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += LOOKUP_CHUNK) {
            mismatches.addAll(assignments.counterCheck(ids.subList(from, Math.min(ids.size(), from + LOOKUP_CHUNK))));
        }
        return mismatches;
    }

    /** What a run found, with the numbers that show how it found it. */
    static final class Findings {
        long ordersChecked;
        long linksChecked;
        int bucketCount;
        int bucketsDiffering;
        long rowsCompared;
        int candidates;
        int inFlight;
        int unsettled;
        /** candidates whose consumer had not applied everything published before them by the last re-check */
        int lagging;

        boolean truncated;
        final List<Drift> drift = new ArrayList<>();
    }

    /** One run's state: the candidates found so far and the numbers. */
    private final class Comparison {

        final Findings stats = new Findings();
        final Checkpoint checkpoint;
        /** ids of the orders whose facts differed when first compared */
        final Set<String> candidates = new LinkedHashSet<>();

        final Set<String> tasksSeen = new LinkedHashSet<>();

        /** orders whose outbox head is parked, with that event */
        final Map<String, ParkedHead> blocked = new LinkedHashMap<>();

        Comparison(Checkpoint checkpoint) {
            this.checkpoint = checkpoint;
        }

        void byDigests() {
            long facts = orders.count();
            int bucketCount = FactDigestSql.bucketCountFor(
                    facts, settings.rowsPerBucket(), settings.minBuckets(), settings.maxBuckets());
            CompletableFuture<BucketDigests> theirs =
                    CompletableFuture.supplyAsync(() -> assignments.digests(bucketCount));
            BucketDigests ours = orders.digests(bucketCount);
            BucketDigests links = join(theirs);
            checkpoint.check();
            int[] differing = ours.differingBuckets(links);
            stats.ordersChecked = ours.total();
            stats.linksChecked = links.total();
            stats.bucketCount = bucketCount;
            stats.bucketsDiffering = differing.length;
            if (differing.length == 0) {
                return;
            }
            if (differing.length > bucketCount / 4) {
                merge(bucketCount, new int[0]);
                return;
            }
            for (int from = 0; from < differing.length; from += BUCKETS_PER_PASS) {
                merge(
                        bucketCount,
                        Arrays.copyOfRange(differing, from, Math.min(differing.length, from + BUCKETS_PER_PASS)));
            }
        }

        /** Merges both sides' pages of {@code buckets} (all when empty) in id order. */
        void merge(int bucketCount, int[] buckets) {
            Cursor mine = new Cursor(orders, bucketCount, buckets, checkpoint);
            Cursor theirs = new Cursor(assignments, bucketCount, buckets, checkpoint);
            OrderFact a = mine.next();
            OrderFact b = theirs.next();
            long linksSeen = 0;
            while (a != null || b != null) {
                int order = a == null ? 1 : b == null ? -1 : KeyOrder.compare(a.orderId(), b.orderId());
                stats.rowsCompared++;
                if (order == 0) {
                    if (!a.equals(b)) {
                        candidate(a.orderId());
                    }
                    a = mine.next();
                    b = theirs.next();
                    linksSeen++;
                } else if (order < 0) {
                    candidate(a.orderId());
                    a = mine.next();
                } else {
                    candidate(b.orderId());
                    b = theirs.next();
                    linksSeen++;
                }
            }
            if (buckets.length == 0 && bucketCount == 1) {
                stats.linksChecked = linksSeen;
            }
        }

        void byIds(Collection<String> orderIds) {
            List<String> ids = List.copyOf(orderIds);
            for (int from = 0; from < ids.size(); from += LOOKUP_CHUNK) {
                checkpoint.check();
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + LOOKUP_CHUNK));
                Map<String, OrderFact> mine = byId(orders.byOrderIds(chunk));
                Map<String, OrderFact> theirs = byId(assignments.byOrderIds(chunk));
                stats.ordersChecked += chunk.size();
                stats.linksChecked += theirs.size();
                for (String id : chunk) {
                    stats.rowsCompared++;
                    OrderFact a = mine.get(id);
                    OrderFact b = theirs.get(id);
                    remember(a);
                    remember(b);
                    if (!Objects.equals(a, b)) {
                        candidate(id);
                    }
                }
                orders.parkedHeads(chunk).forEach(this::blocked);
            }
        }

        /** Every order whose head is parked (scope ALL), page by page in outbox order. */
        void allParkedHeads() {
            long after = 0;
            do {
                checkpoint.check();
                OrderFacts.ParkedHeadPage page = orders.parkedHeads(after, settings.pageSize());
                page.heads().forEach(this::blocked);
                after = page.next();
            } while (after >= 0 && !stats.truncated);
        }

        private void blocked(String orderId, ParkedHead head) {
            if (blocked.containsKey(orderId)) {
                return;
            }
            if (candidates.size() + blocked.size() >= settings.maxCandidates()) {
                stats.truncated = true;
                return;
            }
            blocked.put(orderId, head);
        }

        private void remember(OrderFact fact) {
            if (fact != null && fact.taskId() != null) {
                tasksSeen.add(fact.taskId());
            }
        }

        private void candidate(String orderId) {
            if (candidates.size() + blocked.size() >= settings.maxCandidates()) {
                stats.truncated = true;
                return;
            }
            candidates.add(orderId);
        }

        Findings confirm(List<CounterMismatch> mismatches) throws InterruptedException {
            candidates.removeAll(blocked.keySet()); // held back: reported as such, not re-checked as "moving"
            stats.candidates += candidates.size();
            if (candidates.isEmpty() && mismatches.isEmpty()) {
                confirmBlocked();
                return stats;
            }
            Map<String, Observed> seen = firstObservation(candidates);
            gracePeriod();
            if (!mismatches.isEmpty()) {
                confirmCounters(mismatches);
            }
            for (int round = 1; round <= settings.maxRechecks() && !candidates.isEmpty(); round++) {
                if (round > 1) {
                    gracePeriod();
                }
                recheck(seen);
            }
            for (String id : candidates) {
                if (seen.get(id).behind) {
                    stats.lagging++;
                } else {
                    stats.unsettled++;
                }
            }
            candidates.clear();
            confirmBlocked();
            return stats;
        }

        /** The blocked orders whose head is still parked are drift, each with the event that holds it back now. */
        private void confirmBlocked() {
            List<String> ids = List.copyOf(blocked.keySet());
            for (int from = 0; from < ids.size(); from += LOOKUP_CHUNK) {
                checkpoint.check();
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + LOOKUP_CHUNK));
                Map<String, ParkedHead> still = orders.parkedHeads(chunk);
                Map<String, OrderRow> rows = orders.rows(chunk);
                for (String id : chunk) {
                    ParkedHead head = still.get(id);
                    if (head == null) {
                        continue; // re-queued (or superseded) meanwhile: its events flow again
                    }
                    OrderRow row = rows.get(id);
                    stats.drift.add(Drift.blocked(
                            id,
                            row == null ? null : row.taskId(),
                            row == null ? "order unknown to order-service" : row.describe(),
                            head));
                }
            }
        }

        private void gracePeriod() throws InterruptedException {
            checkpoint.check();
            Thread.sleep(settings.gracePeriod().toMillis());
            checkpoint.check();
        }

        private void confirmCounters(List<CounterMismatch> first) {
            Set<String> taskIds = new LinkedHashSet<>();
            first.forEach(m -> taskIds.add(m.taskId()));
            for (CounterMismatch still : assignments.counterCheck(taskIds)) {
                stats.drift.add(
                        Drift.of(DriftType.COUNTER_MISMATCH, null, still.taskId(), still.expected(), still.actual()));
            }
        }

        /**
         * Each candidate's version and whether it had unpublished events, read now, and the end of the event log
         * read after that: the mark the consumer must reach before a quiet candidate can count as drift.
         */
        private Map<String, Observed> firstObservation(Collection<String> orderIds) {
            Map<String, Observed> seen = new HashMap<>();
            List<String> ids = List.copyOf(orderIds);
            for (int from = 0; from < ids.size(); from += LOOKUP_CHUNK) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + LOOKUP_CHUNK));
                Map<String, OrderRow> rows = orders.rows(chunk);
                Set<String> pending = orders.withPendingEvents(chunk);
                for (String id : chunk) {
                    OrderRow row = rows.get(id);
                    seen.put(id, new Observed(row == null ? -1 : row.version(), !pending.contains(id)));
                }
            }
            markQuiet(seen.values());
            return seen;
        }

        private void recheck(Map<String, Observed> seen) {
            List<String> ids = List.copyOf(candidates);
            // read before the links, so that what it covers is in them; only asked when an order may need it
            LogPositions applied =
                    ids.stream().anyMatch(id -> seen.get(id).quiet) ? assignments.applied() : LogPositions.none();
            List<Observed> moving = new ArrayList<>();
            for (int from = 0; from < ids.size(); from += LOOKUP_CHUNK) {
                checkpoint.check();
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + LOOKUP_CHUNK));
                Map<String, OrderFact> links = byId(assignments.byOrderIds(chunk));
                Map<String, OrderRow> rows = orders.rows(chunk);
                Set<String> pending = orders.withPendingEvents(chunk);
                Set<String> justSent = orders.withEventsSentWithin(chunk, settings.gracePeriod());
                Map<String, ParkedHead> parked = orders.parkedHeads(chunk);
                for (String id : chunk) {
                    OrderRow row = rows.get(id);
                    OrderFact expected = row == null ? null : row.fact();
                    OrderFact actual = links.get(id);
                    long version = row == null ? -1 : row.version();
                    Observed observed = seen.get(id);
                    if (Objects.equals(expected, actual)) {
                        candidates.remove(id);
                    } else if (parked.containsKey(id)) {
                        candidates.remove(id); // its head parked meanwhile: held back, not moving
                        blocked.put(id, parked.get(id));
                    } else if (row != null && "ASSIGNMENT_PENDING".equals(row.status())) {
                        candidates.remove(id); // the saga owns it: deadline, re-send, stuck report
                        stats.inFlight++;
                    } else if (pending.contains(id)
                            || justSent.contains(id)
                            || version != observed.version
                            || !observed.quiet) {
                        // still moving: look again next round, against the log's end after this read
                        observed.version = version;
                        observed.quiet = !pending.contains(id);
                        observed.behind = false;
                        moving.add(observed);
                    } else if (!applied.reached(observed.mark, log.partitionsOf(id, observed.mark))) {
                        observed.behind = true; // published before it was seen, not yet applied: in flight
                    } else {
                        candidates.remove(id);
                        stats.drift.add(classify(id, expected, actual));
                    }
                }
            }
            markQuiet(moving);
        }

        /**
         * Notes the end of the event log, read now, as the mark of the quiet ones among {@code observed}: everything
         * they published is below it. Not asked when none is quiet (e.g. every candidate waits in the outbox while
         * the broker is down).
         */
        private void markQuiet(Collection<Observed> observed) {
            if (observed.stream().anyMatch(o -> o.quiet)) {
                LogPositions ends = log.ends();
                observed.forEach(o -> o.mark = ends);
            }
        }
    }

    /** What the re-checks know of one candidate. */
    private static final class Observed {
        /** the order's version when last read */
        long version;
        /** whether it had no unpublished event then */
        boolean quiet;
        /** the end of the event log read after that: the consumer must reach it */
        LogPositions mark = LogPositions.none();
        /** whether, at the last re-check, the consumer had not reached the mark */
        boolean behind;

        Observed(long version, boolean quiet) {
            this.version = version;
            this.quiet = quiet;
        }
    }

    static Drift classify(String orderId, OrderFact expected, OrderFact actual) {
        String shown = expected == null ? "no task" : expected.describe();
        String held = actual == null ? "no link" : actual.describe();
        if (actual == null) {
            return Drift.of(DriftType.MISSING_LINK, orderId, expected.taskId(), shown, held);
        }
        if (expected == null) {
            return Drift.of(DriftType.ORPHAN_LINK, orderId, actual.taskId(), shown, held);
        }
        if (!expected.taskId().equals(actual.taskId())) {
            return Drift.of(DriftType.WRONG_TASK, orderId, expected.taskId(), shown, held);
        }
        return Drift.of(DriftType.STALE_STATUS, orderId, expected.taskId(), shown, held);
    }

    private static Map<String, OrderFact> byId(List<OrderFact> facts) {
        Map<String, OrderFact> byId = new HashMap<>();
        facts.forEach(f -> byId.put(f.orderId(), f));
        return byId;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    /** Keyset-paged iteration over one side's facts. */
    private final class Cursor {

        private final FactSource source;
        private final int bucketCount;
        private final int[] buckets;
        private final Checkpoint checkpoint;
        private Iterator<OrderFact> page = List.<OrderFact>of().iterator();
        private String after;
        private boolean done;

        Cursor(FactSource source, int bucketCount, int[] buckets, Checkpoint checkpoint) {
            this.source = source;
            this.checkpoint = checkpoint;
            this.bucketCount = bucketCount;
            this.buckets = buckets;
        }

        OrderFact next() {
            if (!page.hasNext() && !done) {
                checkpoint.check();
                FactPage next = source.page(bucketCount, buckets, after, settings.pageSize());
                page = next.facts().iterator();
                after = next.next();
                done = after == null;
            }
            return page.hasNext() ? page.next() : null;
        }
    }
}
