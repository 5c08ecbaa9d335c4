package io.fleetsaga.order.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.orm.ObjectOptimisticLockingFailureException;

class OrderWriteRetryTests {

    private final OrderWriteRetry retry = new OrderWriteRetry(
            new OrderSettings(new OrderSettings.WriteRetry(Duration.ofMillis(1), 2.0, Duration.ofMillis(2), 4)),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

    @Test
    void runsTheTransactionAgainAfterLosingARace() {
        AtomicInteger attempts = new AtomicInteger();

        String result = retry.run("test", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new ObjectOptimisticLockingFailureException(FleetOrder.class, "o-1");
            }
            return "done";
        });

        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void givesUpWithAConflictAfterTheLastAttempt() {
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> retry.run("PICK_UP of order o-1", () -> {
                    attempts.incrementAndGet();
                    throw new CannotAcquireLockException("deadlock");
                }))
                .isInstanceOf(OrderConflictException.class)
                .hasMessageContaining("PICK_UP of order o-1");
        assertThat(attempts).hasValue(4);
    }

    @Test
    void doesNotRetryWhatNoRetryCanFix() {
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> retry.run("test", () -> {
                    attempts.incrementAndGet();
                    throw new IllegalTransitionException("o-1", OrderStatus.DELIVERED, OrderAction.PICK_UP);
                }))
                .isInstanceOf(IllegalTransitionException.class);
        assertThat(attempts).hasValue(1);
    }
}
