package io.fleetsaga.order.order;

import java.util.Optional;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;

/**
 * Order use cases for the dispatcher API. Each write is one transaction ({@link OrderTransactions}, through
 * its proxy) that changes the order, records its history and appends its current state to the outbox;
 * a transaction that lost a race against a concurrent writer of the same order is run again with backoff
 * ({@link OrderWriteRetry}). This class itself holds no transaction.
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
     * @throws OrderExistsException when an order with that id exists (also when created concurrently)
     */
    public OrderSnapshot create(String orderId) {
        try {
            return transactions.create(orderId);
        } catch (DataIntegrityViolationException concurrentlyCreated) {
            throw new OrderExistsException(orderId);
        }
    }

    /**
     * Applies a status change.
     *
     * @param expectedVersion the version the caller saw, or {@code null}
     * @throws OrderNotFoundException, OrderVersionMismatchException, IllegalTransitionException,
     *     OrderConflictException see {@link OrderChanges#apply}
     */
    public OrderSnapshot change(String orderId, StatusChange change, String reason, Long expectedVersion) {
        return retry.run(
                change + " of order " + orderId, () -> transactions.change(orderId, change, reason, expectedVersion));
    }

    public Optional<OrderDetails> details(String orderId) {
        return transactions.details(orderId);
    }
}
