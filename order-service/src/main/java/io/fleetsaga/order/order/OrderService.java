package io.fleetsaga.order.order;

import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;

/**
 * Order use cases for the dispatcher API. Each write is one transaction ({@link OrderTransactions}, through
 * its proxy) that changes the order, records its history and appends its current state to the outbox;
 * a transaction that lost a race against a concurrent writer of the same order is run again with backoff
 * ({@link OrderWriteRetry}). This class itself holds no transaction.
 *
 * <p>Each write takes a {@code beforeCommit} hook that runs inside the write's transaction, after the change and
 * before the commit: what it writes commits with the change, and if it throws nothing commits. The dispatcher
 * API stores the request's idempotent response there, so that a committed request is never run again. A write
 * that is retried runs the hook once per attempt (each in the attempt's own transaction).
 */
@Service
public class OrderService {

    private final OrderTransactions transactions;
    private final OrderWriteRetry retry;

    OrderService(OrderTransactions transactions, OrderWriteRetry retry) {
        this.transactions = transactions;
        this.retry = retry;
    }

    /**
     * Creates an order in {@link OrderStatus#CREATED}.
     *
     * @param beforeCommit runs in the transaction with the new order
     * @throws OrderExistsException when an order with that id exists (also when created concurrently)
     */
    public OrderSnapshot create(String orderId, Consumer<? super OrderSnapshot> beforeCommit) {
        try {
            return transactions.create(orderId, beforeCommit);
        } catch (DataIntegrityViolationException concurrentlyCreated) {
            throw new OrderExistsException(orderId);
        }
    }

    /**
     * Applies a status change.
     *
     * @param expectedVersion the version the caller saw, or {@code null}
     * @param beforeCommit runs in the transaction with the changed order
     * @throws OrderNotFoundException, OrderVersionMismatchException, IllegalTransitionException,
     *     OrderConflictException see {@link OrderChanges#apply}
     */
    public OrderSnapshot change(
            String orderId,
            StatusChange change,
            String reason,
            ExpectedVersion expectedVersion,
            Consumer<? super OrderSnapshot> beforeCommit) {
        return retry.run(
                change + " of order " + orderId,
                () -> transactions.change(orderId, change, reason, expectedVersion, beforeCommit));
    }

    public Optional<OrderDetails> details(String orderId) {
        return transactions.details(orderId);
    }
}
