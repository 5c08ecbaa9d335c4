package io.fleetsaga.common.outbox;

import java.time.Duration;

/**
 * A snapshot of the outbox backlog.
 *
 * @param pending rows waiting to be published
 * @param parked rows that exhausted their attempts
 * @param oldestPendingAge age of the oldest pending row, {@link Duration#ZERO} when none
 */
public record OutboxStats(long pending, long parked, Duration oldestPendingAge) {}
