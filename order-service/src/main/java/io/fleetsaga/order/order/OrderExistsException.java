package io.fleetsaga.order.order;

/** An order with that id exists already. */
public class OrderExistsException extends RuntimeException {

    public OrderExistsException(String orderId) {
        super("order " + orderId + " exists already");
    }
}
