package io.fleetsaga.order.saga;

import io.fleetsaga.common.retry.BackoffPolicy;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the "assign order" saga ({@code fleetsaga.saga.*}).
 *
 * <p>The first command waits {@code timeout} for a reply. When it times out, the command is sent again
 * (same saga id) and the next attempt waits {@code timeout} plus a full-jitter delay of {@code backoff}
 * (so that many sagas that timed out together, e.g. while assignment-service was down, spread out
 * instead of timing out together again). After {@code maxAttempts} commands without a reply the saga is
 * {@link SagaStatus#STUCK}. Every wait runs from the broker's acknowledgement of the attempt's command (see
 * {@link AssignmentSaga}) — and, with {@code waitForConsumer}, only once assignment-service's consumer group has
 * consumed the command ({@link CommandConsumption}).
 *
 * @param timeout how long one attempt waits for a reply
 * @param maxAttempts commands in total, the first one included
 * @param backoff growth and jitter of the wait after each re-send
 * @param checkInterval how often the deadline checker looks for sagas past their deadline
 * @param checkBatchSize sagas handled per check
 * @param statsInterval how often the {@code saga_running} gauge is refreshed (one scan of the running sagas)
 * @param waitForConsumer a saga whose command the consumer group has not consumed yet is not due (true); false:
 *     the deadline runs from the acknowledgement alone, the broker is not asked
 * @param consumerGroup the consumer group of assignment-service that consumes the commands
 * @param consumerTimeout bound of each broker call that reads the group's progress
 */
@ConfigurationProperties("fleetsaga.saga")
public record SagaSettings(
        @DefaultValue("30s") Duration timeout,
        @DefaultValue("5") int maxAttempts,
        @DefaultValue Backoff backoff,
        @DefaultValue("1s") Duration checkInterval,
        @DefaultValue("100") int checkBatchSize,
        @DefaultValue("15s") Duration statsInterval,
        @DefaultValue("true") boolean waitForConsumer,
        @DefaultValue("assignment-service") String consumerGroup,
        @DefaultValue("5s") Duration consumerTimeout) {

    public SagaSettings {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("fleetsaga.saga.timeout must be positive");
        }
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("fleetsaga.saga.check-interval must be positive");
        }
        if (statsInterval.isNegative() || statsInterval.isZero()) {
            throw new IllegalArgumentException("fleetsaga.saga.stats-interval must be positive");
        }
        if (consumerGroup == null || consumerGroup.isBlank()) {
            throw new IllegalArgumentException("fleetsaga.saga.consumer-group must not be blank");
        }
        if (consumerTimeout.isNegative() || consumerTimeout.isZero()) {
            throw new IllegalArgumentException("fleetsaga.saga.consumer-timeout must be positive");
        }
        if (checkBatchSize < 1) {
            throw new IllegalArgumentException("fleetsaga.saga.check-batch-size must be at least 1");
        }
        // fails fast on an invalid backoff or max-attempts
        new BackoffPolicy(backoff.initialDelay(), backoff.multiplier(), backoff.maxDelay(), maxAttempts);
    }

    BackoffPolicy policy() {
        return new BackoffPolicy(backoff.initialDelay(), backoff.multiplier(), backoff.maxDelay(), maxAttempts);
    }

    /**
     * @param initialDelay upper bound of the extra wait after the first re-send
     * @param multiplier growth of the bound per re-send
     * @param maxDelay cap of the bound
     */
    record Backoff(
            @DefaultValue("1s") Duration initialDelay,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("1m") Duration maxDelay) {}
}
