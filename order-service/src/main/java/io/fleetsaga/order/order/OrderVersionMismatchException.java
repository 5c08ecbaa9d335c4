package io.fleetsaga.order.order;

/** The caller expected another version of the order (a failed {@code If-Match}); nothing was changed. */
public class OrderVersionMismatchException extends RuntimeException {

    private final String orderId;
    private final long currentVersion;
    private final OrderStatus currentStatus;

    public OrderVersionMismatchException(String orderId, ExpectedVersion expected, FleetOrder current) {
        super("order " + orderId + " is at version " + current.version() + "; If-Match names " + expected.describe());
        this.orderId = orderId;
        this.currentVersion = current.version();
        this.currentStatus = current.status();
    }

    public String orderId() {
        return orderId;
    }

    public long currentVersion() {
        return currentVersion;
    }

    public OrderStatus currentStatus() {
        return currentStatus;
    }
}
