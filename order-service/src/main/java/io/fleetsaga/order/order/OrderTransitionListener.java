package io.fleetsaga.order.order;

/**
 * Told of every order change inside the transaction that makes it, after the order row was written;
 * whatever it writes commits or rolls back with the change. Lets the saga react (a cancellation ends a
 * running assignment) without the order knowing the saga.
 */
public interface OrderTransitionListener {

    void transitioned(OrderSnapshot order, OrderTransition transition);
}
