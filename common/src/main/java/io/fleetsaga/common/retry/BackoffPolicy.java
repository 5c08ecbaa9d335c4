package io.fleetsaga.common.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter and a bounded number of attempts: the one retry policy of the
 * kit, used by the outbox relay and by Kafka consumers.
 *
 * <p>Before retry number {@code n} (after {@code n} failed attempts) the delay is drawn uniformly from
 * {@code [0, min(maxDelay, initialDelay * multiplier^(n-1))]}. Full jitter spreads the retries of many
 * colliding writers over the whole window instead of letting them collide again a few milliseconds
 * later, which is what defeated the three quick retries of incident I-1. After {@code maxAttempts}
 * attempts in total the work is exhausted and must be parked, never dropped.
 *
 * @param initialDelay upper bound of the first retry's delay
 * @param multiplier growth of the upper bound per further attempt, at least 1
 * @param maxDelay cap of the upper bound
 * @param maxAttempts attempts in total, including the first one, at least 1
 */
public record BackoffPolicy(Duration initialDelay, double multiplier, Duration maxDelay, int maxAttempts) {

    public BackoffPolicy {
        if (initialDelay == null || initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initialDelay must be positive");
        }
        if (maxDelay == null || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay must be at least initialDelay");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The upper bound of the delay after {@code failedAttempts} failures (before the next attempt). */
    public Duration ceiling(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts must be at least 1");
        }
        double nanos = initialDelay.toNanos() * Math.pow(multiplier, failedAttempts - 1);
        long max = maxDelay.toNanos();
        return Duration.ofNanos(nanos >= max || Double.isNaN(nanos) ? max : (long) nanos);
    }

    /** A jittered delay in {@code [0, ceiling(failedAttempts)]}. */
    public Duration delay(int failedAttempts, RandomGenerator random) {
        long ceiling = ceiling(failedAttempts).toNanos();
        return Duration.ofNanos(ceiling == 0 ? 0 : random.nextLong(ceiling + 1));
    }

    /** A jittered delay using the thread-local random generator. */
    public Duration delay(int failedAttempts) {
        return delay(failedAttempts, ThreadLocalRandom.current());
    }

    /** Whether work that has been attempted {@code attempts} times must now be parked. */
    public boolean isExhausted(int attempts) {
        return attempts >= maxAttempts;
    }
}
