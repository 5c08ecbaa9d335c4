package io.fleetsaga.order.order;

/** An action the order's current status does not allow; nothing was changed. */
public class IllegalTransitionException extends RuntimeException {

    private final String orderId;
    private final OrderStatus currentStatus;
    private final OrderAction action;

    public IllegalTransitionException(String orderId, OrderStatus currentStatus, OrderAction action) {
        super("order " + orderId + " is " + currentStatus + ": " + action + " is not allowed");
        this.orderId = orderId;
        this.currentStatus = currentStatus;
        this.action = action;
    }

    public String orderId() {
        return orderId;
    }

    public OrderStatus currentStatus() {
        return currentStatus;
    }

    public OrderAction action() {
        return action;
    }
}
