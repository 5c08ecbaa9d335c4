package io.fleetsaga.order.order;

/**
 * The current state of an order after a change: published after every change, so that consumers can
 * apply it idempotently (by version) and repair is "publish the current state again".
 */
public record OrderStateChanged(String orderId, String taskId, String status, long version) {

    public static final String TYPE = "OrderStateChanged";
    public static final String AGGREGATE_TYPE = "FleetOrder";
}
