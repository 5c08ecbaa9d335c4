package io.fleetsaga.order.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.orm.ObjectOptimisticLockingFailureException;

class OrderWriteRetryTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OrderWriteRetry retry = new OrderWriteRetry(
            new OrderSettings(new OrderSettings.WriteRetry(Duration.ofMillis(1), 2.0, Duration.ofMillis(2), 4)),
            registry);

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
                .hasMessageContaining("PICK_UP of order o-1")
                .hasMessageContaining("(4 attempts)")
                .hasCauseInstanceOf(CannotAcquireLockException.class);
        assertThat(attempts).hasValue(4);
        assertThat(registry.get("orders.write.retries").counter().count()).isEqualTo(3);
        assertThat(registry.get("orders.write.conflicts").counter().count()).isEqualTo(1);
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
        assertThat(registry.get("orders.write.retries").counter().count()).isZero();
    }

    @Test
    void anInterruptedWaitEndsInAConflictAndKeepsTheInterrupt() {
        AtomicInteger attempts = new AtomicInteger();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> retry.run("test", () -> {
                        attempts.incrementAndGet();
                        throw new CannotAcquireLockException("deadlock");
                    }))
                    .isInstanceOf(OrderConflictException.class)
                    .hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(attempts).hasValue(1);
        } finally {
            Thread.interrupted();
        }
    }
}
