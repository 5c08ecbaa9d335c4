package io.fleetsaga.order.idempotency;

import io.fleetsaga.order.order.OrderSnapshot;
import io.fleetsaga.order.order.OrderTransition;
import io.fleetsaga.order.order.OrderTransitionListener;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Test-only faults in the request path, injected where an order change is made (inside its transaction):
 *
 * <ul>
 *   <li>{@link #freezeNextCreation} ({@link #freezeNextChangeOf}) holds the next creation of an order (change of
 *       one order) inside its transaction (gate "before
 *       commit") and/or right after its commit (gate "after commit") until the test opens the gate. A request held
 *       after its commit has done everything a process that dies at that moment has done: its transaction is
 *       committed, nothing after it has run, its client has no response.
 *   <li>{@link #conflictOn} makes every change of an order lose its race (the optimistic-lock failure a
 *       concurrent writer causes), {@link #failOn} fail unexpectedly (like an unreachable database).
 * </ul>
 */
final class RequestFaults implements OrderTransitionListener {

    private static final Duration MAX_HOLD = Duration.ofSeconds(60);

    private final AtomicReference<Freeze> next = new AtomicReference<>();
    private final Set<String> conflicting = ConcurrentHashMap.newKeySet();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    /** Holds the next order creation; {@code beforeCommit} / {@code afterCommit} choose the gates. */
    Freeze freezeNextCreation(boolean beforeCommit, boolean afterCommit) {
        return freezeNext(order -> order.version() == 0, beforeCommit, afterCommit);
    }

    /** Holds the next change of the order; {@code beforeCommit} / {@code afterCommit} choose the gates. */
    Freeze freezeNextChangeOf(String orderId, boolean beforeCommit, boolean afterCommit) {
        return freezeNext(order -> order.orderId().equals(orderId), beforeCommit, afterCommit);
    }

    private Freeze freezeNext(Predicate<OrderSnapshot> which, boolean beforeCommit, boolean afterCommit) {
        Freeze freeze = new Freeze(which, beforeCommit, afterCommit);
        next.set(freeze);
        return freeze;
    }

    void conflictOn(String orderId) {
        conflicting.add(orderId);
    }

    void failOn(String orderId) {
        failing.add(orderId);
    }

    void reset() {
        Freeze freeze = next.getAndSet(null);
        if (freeze != null) {
            freeze.openAll();
        }
        conflicting.clear();
        failing.clear();
    }

    @Override
    public void transitioned(OrderSnapshot order, OrderTransition transition) {
        if (conflicting.contains(order.orderId())) {
            throw new OptimisticLockingFailureException("injected: a concurrent writer changed " + order.orderId());
        }
        if (failing.contains(order.orderId())) {
            throw new IllegalStateException("injected: unexpected failure of " + order.orderId());
        }
        Freeze freeze = next.get();
        if (freeze != null && freeze.which.test(order) && next.compareAndSet(freeze, null)) {
            freeze.hold(order.orderId());
        }
    }

    /** One request held at its gates; the test waits for it to arrive and opens the gates. */
    static final class Freeze {

        private final Predicate<OrderSnapshot> which;
        private final boolean beforeCommit;
        private final boolean afterCommit;
        private final CountDownLatch arrivedBeforeCommit = new CountDownLatch(1);
        private final CountDownLatch arrivedAfterCommit = new CountDownLatch(1);
        private final CountDownLatch openBeforeCommit = new CountDownLatch(1);
        private final CountDownLatch openAfterCommit = new CountDownLatch(1);
        private volatile String orderId;

        private Freeze(Predicate<OrderSnapshot> which, boolean beforeCommit, boolean afterCommit) {
            this.which = which;
            this.beforeCommit = beforeCommit;
            this.afterCommit = afterCommit;
        }

        private void hold(String orderId) {
            this.orderId = orderId;
            if (afterCommit) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        arrivedAfterCommit.countDown();
                        await(openAfterCommit);
                    }
                });
            }
            if (beforeCommit) {
                arrivedBeforeCommit.countDown();
                await(openBeforeCommit);
            }
        }

        /** The id of the order the held request created. */
        String orderId() {
            return orderId;
        }

        void awaitBeforeCommit() throws InterruptedException {
            if (!arrivedBeforeCommit.await(MAX_HOLD.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the request never reached its transaction");
            }
        }

        void awaitAfterCommit() throws InterruptedException {
            if (!arrivedAfterCommit.await(MAX_HOLD.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the request never committed");
            }
        }

        void openBeforeCommit() {
            openBeforeCommit.countDown();
        }

        void openAll() {
            openBeforeCommit.countDown();
            openAfterCommit.countDown();
        }

        private static void await(CountDownLatch gate) {
            try {
                if (!gate.await(MAX_HOLD.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("injected freeze was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
