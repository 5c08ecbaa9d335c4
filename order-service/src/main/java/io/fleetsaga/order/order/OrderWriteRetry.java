package io.fleetsaga.order.order;

import io.fleetsaga.common.retry.BackoffPolicy;
import io.fleetsaga.common.retry.JitteredBackOff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs a whole write transaction again when it lost a race against a concurrent writer of the same order
 * (optimistic-lock failure, deadlock or lock wait timeout: {@link ConcurrencyFailureException}).
 *
 * <p>Each attempt must be a complete transaction of its own, so this must be called <em>outside</em> any
 * transaction: retrying inside one would re-read the same stale snapshot. The retries are Spring Framework's
 * core retry support ({@link RetryTemplate}, programmatic rather than {@code @Retryable}, because the transaction
 * proxy must sit <em>inside</em> the retry); its {@link RetryPolicy} retries only {@link ConcurrencyFailureException}
 * and waits the full-jitter delays of the kit's {@link BackoffPolicy} ({@link JitteredBackOff}) — Spring's own
 * jitter is ± around the exponential delay, not full jitter. When the attempts are spent it throws {@link
 * OrderConflictException} (a 409 for the caller, never a 500). Anything else is not retried and reaches the caller
 * unchanged.
 */
@Component
public class OrderWriteRetry {

    private static final Logger log = LoggerFactory.getLogger(OrderWriteRetry.class);

    private final RetryTemplate template;
    private final Counter retries;
    private final Counter conflicts;

    @Autowired
    OrderWriteRetry(OrderSettings settings, ObjectProvider<MeterRegistry> registry) {
        this(settings, registry.getIfAvailable(SimpleMeterRegistry::new));
    }

    OrderWriteRetry(OrderSettings settings, MeterRegistry registry) {
        this.retries = Counter.builder("orders.write.retries")
                .description("Order writes retried after losing a race with a concurrent change")
                .register(registry);
        this.conflicts = Counter.builder("orders.write.conflicts")
                .description("Order writes that still conflicted after all retries (answered 409)")
                .register(registry);
        this.template = new RetryTemplate(RetryPolicy.builder()
                .backOff(new JitteredBackOff(settings.writeRetry().policy()))
                .includes(ConcurrencyFailureException.class)
                .build());
        this.template.setRetryListener(new AttemptLog());
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
        try {
            return template.execute(new Write<>(what, transaction));
        } catch (RetryException e) {
            Throwable last = e.getLastException();
            if (!(last instanceof ConcurrencyFailureException)) {
                throw rethrow(last);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new OrderConflictException("interrupted while waiting to retry " + what, last);
            }
            conflicts.increment();
            throw new OrderConflictException(
                    what + " kept conflicting with concurrent changes (" + (e.getRetryCount() + 1) + " attempts)",
                    last);
        }
    }

    private static RuntimeException rethrow(Throwable failure) {
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(failure); // a Supplier throws no checked exception
    }

    /** One order write, named for the retry's log lines. */
    private record Write<T>(String what, Supplier<T> transaction) implements Retryable<T> {

        @Override
        public T execute() {
            return transaction.get();
        }

        @Override
        public String getName() {
            return what;
        }
    }

    /**
     * Counts the retries and logs every lost race and the start of the next attempt at DEBUG: with these two lines
     * the fault harness checks the delays between attempts against the policy (I-1).
     */
    private final class AttemptLog implements RetryListener {

        @Override
        public void onRetryableExecution(RetryPolicy policy, Retryable<?> retryable, RetryState state) {
            if (!state.isSuccessful() && state.getLastException() instanceof ConcurrencyFailureException e) {
                log.debug(
                        "{} lost a race (attempt {}): {}",
                        retryable.getName(),
                        state.getRetryCount() + 1,
                        e.toString());
            }
        }

        @Override
        public void beforeRetry(RetryPolicy policy, Retryable<?> retryable, RetryState state) {
            retries.increment();
            log.debug("{} attempt {} starts", retryable.getName(), state.getRetryCount() + 1);
        }
    }
}
