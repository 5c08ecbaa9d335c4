package io.fleetsaga.order.reconciliation;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a run compares and what it does about drift.
 *
 * @param orderIds the orders of scope {@link Scope#ORDERS}
 * @param changedSince the lower bound of {@code updated_at} of scope {@link Scope#CHANGED_SINCE}
 */
public record RunRequest(Mode mode, Scope scope, Method method, List<String> orderIds, Instant changedSince) {

    /** Most order ids one run of scope {@link Scope#ORDERS} accepts. */
    public static final int MAX_ORDER_IDS = 10_000;

    public enum Mode {
        /** Report only. */
        DRY_RUN,
        /** Report, then repair through the normal event path. */
        REPAIR
    }

    public enum Scope {
        /** Every order and every link, and every task's counters. */
        ALL,
        /** The given orders (and the counters of their tasks). */
        ORDERS,
        /** Orders changed since a moment (and the counters of their tasks); links of unchanged orders are not seen. */
        CHANGED_SINCE
    }

    public enum Method {
        /** Compare bucket digests, then only the differing buckets row by row (scope ALL). */
        DIGEST,
        /** Compare every row (scope ALL): the baseline the digests are measured against. */
        FULL_SCAN
    }

    public RunRequest {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(method, "method");
        orderIds = orderIds == null ? List.of() : List.copyOf(orderIds);
        switch (scope) {
            case ALL -> {
                require(orderIds.isEmpty(), "orderIds are only allowed with scope ORDERS");
                require(changedSince == null, "changedSince is only allowed with scope CHANGED_SINCE");
            }
            case ORDERS -> {
                require(!orderIds.isEmpty(), "scope ORDERS needs orderIds");
                require(orderIds.size() <= MAX_ORDER_IDS, "at most " + MAX_ORDER_IDS + " orderIds");
                require(orderIds.stream().noneMatch(id -> id == null || id.isBlank()), "orderIds must not be blank");
                require(changedSince == null, "changedSince is only allowed with scope CHANGED_SINCE");
                require(method == Method.DIGEST, "method FULL_SCAN is only allowed with scope ALL");
            }
            case CHANGED_SINCE -> {
                require(changedSince != null, "scope CHANGED_SINCE needs changedSince");
                require(orderIds.isEmpty(), "orderIds are only allowed with scope ORDERS");
                require(method == Method.DIGEST, "method FULL_SCAN is only allowed with scope ALL");
            }
        }
    }

    /** What the schedule runs: everything, by digests. */
    public static RunRequest scheduled(Mode mode) {
        return new RunRequest(mode, Scope.ALL, Method.DIGEST, List.of(), null);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidRunRequestException(message);
        }
    }
}
