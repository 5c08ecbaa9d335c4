package io.fleetsaga.order.order;

import java.time.Instant;
import java.util.UUID;

/** Object mother: orders in any status, reached through legal transitions only. */
final class FleetOrders {

    static final Instant T0 = Instant.parse("2026-01-01T08:00:00Z");
    static final String TASK = "t-1";

    private FleetOrders() {}

    static FleetOrder created() {
        return FleetOrder.create("o-" + UUID.randomUUID(), T0);
    }

    static FleetOrder inStatus(OrderStatus status) {
        FleetOrder order = created();
        Instant t = T0.plusSeconds(1);
        switch (status) {
            case CREATED -> {}
            case ASSIGNMENT_PENDING -> order.assign(TASK, t);
            case ASSIGNED -> {
                order.assign(TASK, t);
                order.confirmAssignment(t);
            }
            case DELIVERING -> {
                order.assign(TASK, t);
                order.confirmAssignment(t);
                order.pickUp(t);
            }
            case DELIVERED -> {
                order.assign(TASK, t);
                order.confirmAssignment(t);
                order.pickUp(t);
                order.deliver(t);
            }
            case ON_HOLD -> {
                order.assign(TASK, t);
                order.confirmAssignment(t);
                order.pickUp(t);
                order.failDelivery("nobody home", t);
            }
            case RECEIVED -> {
                order.assign(TASK, t);
                order.confirmAssignment(t);
                order.pickUp(t);
                order.failDelivery("nobody home", t);
                order.receive(t);
            }
            case CANCELLED -> order.cancel("customer withdrew", t);
        }
        return order;
    }
}
