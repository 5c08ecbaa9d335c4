package io.fleetsaga.common.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.util.backoff.BackOffExecution;

class BackoffPolicyTests {

    private final BackoffPolicy policy = new BackoffPolicy(Duration.ofMillis(100), 2.0, Duration.ofSeconds(5), 6);

    @Test
    void ceilingGrowsExponentiallyUpToTheCap() {
        assertThat(policy.ceiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.ceiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.ceiling(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.ceiling(6)).isEqualTo(Duration.ofMillis(3200));
        assertThat(policy.ceiling(7)).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.ceiling(10_000)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void delayStaysWithinZeroAndTheCeiling() {
        RandomGenerator random = new SplittableRandom(42);
        for (int attempt = 1; attempt <= 20; attempt++) {
            for (int i = 0; i < 1000; i++) {
                Duration delay = policy.delay(attempt, random);
                assertThat(delay).isBetween(Duration.ZERO, policy.ceiling(attempt));
            }
        }
    }

    @Test
    void delaysAreSpreadOverTheWholeWindow() {
        // full jitter: colliding writers must not retry in lock step
        RandomGenerator random = new SplittableRandom(7);
        int samples = 10_000;
        long ceiling = policy.ceiling(4).toNanos();
        int[] buckets = new int[10];
        for (int i = 0; i < samples; i++) {
            long delay = policy.delay(4, random).toNanos();
            buckets[(int) Math.min(9, delay * 10 / (ceiling + 1))]++;
        }
        for (int bucket : buckets) {
            // uniform: each tenth of the window gets ~1000; allow wide statistical slack
            assertThat(bucket).isBetween(800, 1200);
        }
    }

    @Test
    void isExhaustedAfterMaxAttempts() {
        assertThat(policy.isExhausted(5)).isFalse();
        assertThat(policy.isExhausted(6)).isTrue();
        assertThat(policy.isExhausted(7)).isTrue();
    }

    @Test
    void rejectsNonsensicalSettings() {
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ZERO, 2, Duration.ofSeconds(1), 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(2), 2, Duration.ofSeconds(1), 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(1), 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(1), Double.NaN, Duration.ofSeconds(1), 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(1), 2, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void springBackOffStopsAfterMaxAttemptsAndStaysWithinTheCeilings() {
        BackOffExecution execution = new JitteredBackOff(policy).start();
        for (int failure = 1; failure < policy.maxAttempts(); failure++) {
            long next = execution.nextBackOff();
            assertThat(next).isBetween(0L, policy.ceiling(failure).toMillis());
        }
        assertThat(execution.nextBackOff()).isEqualTo(BackOffExecution.STOP);
    }
}
