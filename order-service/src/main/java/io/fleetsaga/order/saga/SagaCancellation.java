package io.fleetsaga.order.saga;

import io.fleetsaga.order.order.OrderAction;
import io.fleetsaga.order.order.OrderSnapshot;
import io.fleetsaga.order.order.OrderStatus;
import io.fleetsaga.order.order.OrderTransition;
import io.fleetsaga.order.order.OrderTransitionListener;
import org.springframework.stereotype.Component;

/**
 * An order cancelled while its assignment is pending ends the saga (COMPENSATED) in the cancellation's
 * transaction: no more re-sends, and a late reply changes nothing. The cancelled state, published after
 * the saga's commands, releases any link assignment-service made.
 */
@Component
class SagaCancellation implements OrderTransitionListener {

    private final SagaSteps steps;

    SagaCancellation(SagaSteps steps) {
        this.steps = steps;
    }

    @Override
    public void transitioned(OrderSnapshot order, OrderTransition transition) {
        if (transition.action() == OrderAction.CANCEL && transition.from() == OrderStatus.ASSIGNMENT_PENDING) {
            steps.onCancelled(order.orderId(), transition.reason());
        }
    }
}
