package io.fleetsaga.order.order;

/** What changed an order; one per transition method of {@link FleetOrder}, recorded in its history. */
public enum OrderAction {
    CREATE,
    ASSIGN,
    CONFIRM_ASSIGNMENT,
    COMPENSATE_ASSIGNMENT,
    PICK_UP,
    DELIVER,
    FAIL_DELIVERY,
    RECEIVE,
    CANCEL
}
