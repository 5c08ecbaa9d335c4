package io.fleetsaga.order.reconciliation;

import jakarta.annotation.Nullable;
import java.time.Instant;
import java.util.Map;

/**
 * A reconciliation run as ops see it.
 *
 * @param trigger {@code SCHEDULED} or {@code MANUAL}
 * @param status {@code RUNNING}, {@code COMPLETED} or {@code FAILED}
 * @param ordersChecked order-service facts in scope (orders on a task; for id scopes, the orders looked up)
 * @param linksChecked assignment-service links in scope
 * @param bucketCount digest buckets (0 when the run did not use digests)
 * @param bucketsDiffering buckets whose digests differed and were compared row by row
 * @param rowsCompared rows compared row by row
 * @param candidates differences found before the grace period (orders and tasks)
 * @param inFlight differences that were events in flight or orders owned by a running saga
 * @param unsettled orders still changing after every re-check: neither counted as drift nor as consistent
 * @param lagging differences still unproven after every re-check because assignment-service's consumer had not yet
 *     applied everything order-service published before them (a consumer catching up): not drift — look again later
 * @param candidatesTruncated more differences than {@code max-candidates} were found; only that many were checked
 * @param drift confirmed drift by type (every type present; {@code BLOCKED}: orders held back by a parked event)
 * @param repairs what a repair run did, by result (every result present)
 */
public record RunReport(
        long id,
        String trigger,
        String mode,
        String scope,
        String method,
        @Nullable Integer scopeOrderCount,
        @Nullable Instant changedSince,
        @Nullable String requestedBy,
        String instance,
        String status,
        Instant startedAt,
        @Nullable Instant finishedAt,
        @Nullable Long durationMillis,
        long ordersChecked,
        long linksChecked,
        int bucketCount,
        int bucketsDiffering,
        long rowsCompared,
        int candidates,
        int inFlight,
        int unsettled,
        int lagging,
        boolean candidatesTruncated,
        Map<DriftType, Integer> drift,
        int driftTotal,
        Map<RepairResult, Integer> repairs,
        @Nullable String error) {}
