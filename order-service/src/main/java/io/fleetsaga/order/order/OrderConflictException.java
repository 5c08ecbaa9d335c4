package io.fleetsaga.order.order;

/** Concurrent writers kept changing the order; the write was retried with backoff and gave up. */
public class OrderConflictException extends RuntimeException {

    public OrderConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
