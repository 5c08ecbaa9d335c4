package io.fleetsaga.assignment.reconciliation;

import io.fleetsaga.assignment.task.OrderState;
import io.fleetsaga.assignment.task.OrderStateProjection;
import io.fleetsaga.assignment.task.OrderStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Real threads driving order states through the projection — each state in its own transaction, as the consumer
 * applies them — so that links and counters of two tasks change concurrently with what a test checks. Every order
 * cycles through joining, delivery, release and moving between the two tasks, so every kind of counter delta
 * happens, many times.
 */
final class OrderTraffic implements AutoCloseable {

    /** One order's cycle: (status, on task a, b, or none). */
    private static final List<Step> CYCLE = List.of(
            new Step(OrderStatus.ASSIGNED, 'a'),
            new Step(OrderStatus.DELIVERING, 'a'),
            new Step(OrderStatus.DELIVERED, 'a'),
            new Step(OrderStatus.RECEIVED, '-'),
            new Step(OrderStatus.ASSIGNED, 'b'),
            new Step(OrderStatus.ON_HOLD, 'b'),
            new Step(OrderStatus.ASSIGNED, 'a'), // moved without a release in between
            new Step(OrderStatus.DELIVERED, 'a'),
            new Step(OrderStatus.CANCELLED, '-'),
            new Step(OrderStatus.DELIVERED, 'b'));

    private record Step(OrderStatus status, char task) {}

    private final OrderStateProjection projection;
    private final TransactionTemplate transaction;
    private final ExecutorService threads;
    private final AtomicInteger applied = new AtomicInteger();
    private final List<Future<?>> running = new ArrayList<>();

    private OrderTraffic(OrderStateProjection projection, PlatformTransactionManager transactions, int threadCount) {
        this.projection = projection;
        this.transaction = new TransactionTemplate(transactions);
        this.threads = Executors.newFixedThreadPool(threadCount, r -> {
            Thread thread = new Thread(r, "order-traffic");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts {@code threadCount} threads, each driving {@code ordersPerThread} orders of its own through
     * {@code cycles} cycles of states between {@code taskA} and {@code taskB}.
     */
    static OrderTraffic start(
            OrderStateProjection projection,
            PlatformTransactionManager transactions,
            String taskA,
            String taskB,
            int threadCount,
            int ordersPerThread,
            int cycles) {
        OrderTraffic traffic = new OrderTraffic(projection, transactions, threadCount);
        traffic.drive(taskA, taskB, threadCount, ordersPerThread, cycles);
        return traffic;
    }

    private void drive(String taskA, String taskB, int threadCount, int ordersPerThread, int cycles) {
        for (int t = 0; t < threadCount; t++) {
            List<String> orders = new ArrayList<>();
            for (int i = 0; i < ordersPerThread; i++) {
                orders.add("o-traffic-" + t + "-" + UUID.randomUUID());
            }
            running.add(threads.submit(() -> {
                long version = 1;
                for (int c = 0; c < cycles; c++) {
                    for (Step step : CYCLE) {
                        if (Thread.currentThread().isInterrupted()) { // closed early: a test failed
                            return null;
                        }
                        version++;
                        for (String orderId : orders) {
                            String taskId = step.task() == 'a' ? taskA : step.task() == 'b' ? taskB : null;
                            apply(new OrderState(orderId, taskId, step.status(), version));
                        }
                    }
                }
                return null;
            }));
        }
    }

    boolean running() {
        return running.stream().anyMatch(f -> !f.isDone());
    }

    int applied() {
        return applied.get();
    }

    /** Waits for every thread and rethrows the first failure. */
    void awaitDone() throws Exception {
        for (Future<?> f : running) {
            f.get();
        }
    }

    private void apply(OrderState state) {
        for (int attempt = 1; ; attempt++) {
            try {
                transaction.executeWithoutResult(tx -> projection.apply(state));
                applied.incrementAndGet();
                return;
            } catch (TransientDataAccessException busy) {
                if (attempt == 5) { // the consumer retries a lock timeout or deadlock with backoff, too
                    throw busy;
                }
            }
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
