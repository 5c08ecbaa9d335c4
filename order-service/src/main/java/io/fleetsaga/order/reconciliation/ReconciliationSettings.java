package io.fleetsaga.order.reconciliation;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the reconciliation ({@code fleetsaga.reconciliation.*}).
 *
 * @param schedule whether this instance takes part in the schedule (every instance may; one runs each slot)
 * @param interval time between scheduled runs; slots are aligned to the epoch, so all instances fire together
 * @param scheduledMode what scheduled runs do about drift (manual runs choose)
 * @param gracePeriod how long a difference may be in flight before it is re-checked (and, if still there,
 *     counted as drift)
 * @param maxRechecks re-checks of a difference whose order keeps changing before it is reported as unsettled
 * @param pageSize rows per page of a row-by-row comparison
 * @param rowsPerBucket aimed-at rows per digest bucket (the bucket count follows from the number of facts)
 * @param minBuckets fewest digest buckets
 * @param maxBuckets most digest buckets (one digest response holds one entry per non-empty bucket)
 * @param maxCandidates most differences a run keeps in memory and re-checks; more are counted as truncated
 * @param leaseTtl validity of the run lease, renewed every third of it while a run goes on
 * @param metricsRefresh how often the drift gauges are re-read from the database (they show the last run of
 *     any instance)
 * @param eventLogTimeout bound of one read of the event log's end offsets from the broker (a run that cannot read
 *     them fails: without them no difference can be told from an event in flight)
 * @param assignmentService where and as whom to read assignment-service's facts
 */
@ConfigurationProperties("fleetsaga.reconciliation")
public record ReconciliationSettings(
        @DefaultValue("true") boolean schedule,
        @DefaultValue("10m") Duration interval,
        @DefaultValue("DRY_RUN") RunRequest.Mode scheduledMode,
        @DefaultValue("15s") Duration gracePeriod,
        @DefaultValue("3") int maxRechecks,
        @DefaultValue("1000") int pageSize,
        @DefaultValue("16") int rowsPerBucket,
        @DefaultValue("256") int minBuckets,
        @DefaultValue("65536") int maxBuckets,
        @DefaultValue("100000") int maxCandidates,
        @DefaultValue("30s") Duration leaseTtl,
        @DefaultValue("15s") Duration metricsRefresh,
        @DefaultValue("10s") Duration eventLogTimeout,
        @DefaultValue AssignmentService assignmentService) {

    public ReconciliationSettings {
        positive(interval, "interval");
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("fleetsaga.reconciliation.grace-period must not be negative");
        }
        positive(leaseTtl, "lease-ttl");
        positive(metricsRefresh, "metrics-refresh");
        positive(eventLogTimeout, "event-log-timeout");
        if (maxRechecks < 1 || pageSize < 1 || pageSize > 5000 || rowsPerBucket < 1 || maxCandidates < 1) {
            throw new IllegalArgumentException("fleetsaga.reconciliation: max-rechecks, rows-per-bucket and"
                    + " max-candidates must be positive, page-size between 1 and 5000");
        }
        io.fleetsaga.common.reconciliation.FactDigestSql.requireBucketCount(minBuckets);
        io.fleetsaga.common.reconciliation.FactDigestSql.requireBucketCount(maxBuckets);
        if (minBuckets > maxBuckets || maxBuckets > 65536) {
            throw new IllegalArgumentException(
                    "fleetsaga.reconciliation: min-buckets ≤ max-buckets ≤ 65536 (powers of two)");
        }
    }

    private static void positive(Duration value, String name) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("fleetsaga.reconciliation." + name + " must be positive");
        }
    }

    /**
     * @param url base URL of assignment-service
     * @param username a user with role SERVICE there
     * @param password its password (from the environment or a secret; never committed outside a local profile)
     * @param connectTimeout connection timeout
     * @param readTimeout response timeout (a digest over a million links takes seconds)
     */
    public record AssignmentService(
            @DefaultValue("http://localhost:8082") URI url,
            @DefaultValue("service") String username,
            String password,
            @DefaultValue("2s") Duration connectTimeout,
            @DefaultValue("2m") Duration readTimeout) {}
}
