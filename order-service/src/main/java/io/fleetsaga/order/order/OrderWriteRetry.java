package io.fleetsaga.order.order;

import io.fleetsaga.common.retry.BackoffPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs a whole write transaction again when it lost a race against a concurrent writer of the same order
 * (optimistic-lock failure, deadlock or lock wait timeout: {@link ConcurrencyFailureException}).
 *
 * <p>Each attempt must be a complete transaction of its own, so this must be called <em>outside</em> any
 * transaction: retrying inside one would re-read the same stale snapshot. Between attempts it waits a
 * full-jitter delay of the kit's {@link BackoffPolicy}; when the attempts are spent it throws {@link
 * OrderConflictException} (a 409 for the caller, never a 500). Anything else is not retried.
 */
@Component
public class OrderWriteRetry {

    private static final Logger log = LoggerFactory.getLogger(OrderWriteRetry.class);

    private final BackoffPolicy policy;
    private final Counter retries;
    private final Counter conflicts;

    @Autowired
    OrderWriteRetry(OrderSettings settings, ObjectProvider<MeterRegistry> registry) {
        this(settings, registry.getIfAvailable(SimpleMeterRegistry::new));
    }

    OrderWriteRetry(OrderSettings settings, MeterRegistry registry) {
        this.policy = settings.writeRetry().policy();
        this.retries = Counter.builder("orders.write.retries")
                .description("Order writes retried after losing a race with a concurrent change")
                .register(registry);
        this.conflicts = Counter.builder("orders.write.conflicts")
                .description("Order writes that still conflicted after all retries (answered 409)")
                .register(registry);
    }

    /**
     * @param what describes the write, for the conflict message
     * @param transaction one complete transaction, e.g. a call through a {@code @Transactional} proxy
     * @throws OrderConflictException when every attempt lost a race
     * @throws IllegalStateException when called inside a transaction
     */
    public <T> T run(String what, Supplier<T> transaction) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("retrying " + what + " inside a transaction would re-read a stale"
                    + " snapshot; call it outside any transaction");
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.get();
            } catch (ConcurrencyFailureException e) {
                if (policy.isExhausted(attempt)) {
                    conflicts.increment();
                    throw new OrderConflictException(
                            what + " kept conflicting with concurrent changes (" + attempt + " attempts)", e);
                }
                retries.increment();
                log.debug("{} lost a race (attempt {}), retrying: {}", what, attempt, e.toString());
                pause(attempt);
                // with the line above, the attempt times the fault harness checks the backoff on (I-1)
                log.debug("{} attempt {} starts", what, attempt + 1);
            }
        }
    }

    private void pause(int failedAttempts) {
        try {
            Thread.sleep(policy.delay(failedAttempts).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrderConflictException("interrupted while waiting to retry", e);
        }
    }
}
