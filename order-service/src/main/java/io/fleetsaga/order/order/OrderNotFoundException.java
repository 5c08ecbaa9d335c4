package io.fleetsaga.order.order;

/** No order with that id. */
public class OrderNotFoundException extends RuntimeException {

    private final String orderId;

    public OrderNotFoundException(String orderId) {
        super("no order " + orderId);
        this.orderId = orderId;
    }

    public String orderId() {
        return orderId;
    }
}
