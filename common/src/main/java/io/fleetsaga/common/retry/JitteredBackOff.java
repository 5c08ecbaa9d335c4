package io.fleetsaga.common.retry;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Adapts a {@link BackoffPolicy} to Spring's {@link BackOff}, so that Spring Kafka's error handler
 * retries a failing record with the same full-jitter policy as the outbox relay. After the policy's
 * attempts are spent the execution answers {@link BackOffExecution#STOP} and the record is recovered
 * (dead-lettered or parked).
 */
public final class JitteredBackOff implements BackOff {

    private final BackoffPolicy policy;

    public JitteredBackOff(BackoffPolicy policy) {
        this.policy = policy;
    }

    @Override
    public BackOffExecution start() {
        return new BackOffExecution() {
            private int failures;

            @Override
            public long nextBackOff() {
                failures++;
                if (policy.isExhausted(failures)) {
                    return STOP;
                }
                return policy.delay(failures).toMillis();
            }
        };
    }
}
