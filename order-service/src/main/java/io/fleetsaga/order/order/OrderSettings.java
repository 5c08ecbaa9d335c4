package io.fleetsaga.order.order;

import io.fleetsaga.common.retry.BackoffPolicy;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the order use cases ({@code fleetsaga.orders.*}).
 *
 * @param writeRetry how a write that lost an optimistic-lock race against a concurrent writer of the same
 *     order is retried before the caller gets a conflict
 */
@ConfigurationProperties("fleetsaga.orders")
record OrderSettings(@DefaultValue WriteRetry writeRetry) {

    /**
     * Full-jitter backoff between attempts of one write (incident I-1: three quick retries all collided).
     *
     * @param initialDelay upper bound of the first delay
     * @param multiplier growth of the bound per attempt
     * @param maxDelay cap of the bound
     * @param maxAttempts attempts in total
     */
    record WriteRetry(
            @DefaultValue("20ms") Duration initialDelay,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("500ms") Duration maxDelay,
            @DefaultValue("5") int maxAttempts) {

        BackoffPolicy policy() {
            return new BackoffPolicy(initialDelay, multiplier, maxDelay, maxAttempts);
        }
    }
}
