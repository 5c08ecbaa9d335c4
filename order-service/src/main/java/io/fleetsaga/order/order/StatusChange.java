package io.fleetsaga.order.order;

import java.time.Instant;

/** The status changes a dispatcher or courier requests directly (assignment goes through the saga). */
public enum StatusChange {
    PICK_UP(false),
    DELIVER(false),
    FAIL_DELIVERY(true),
    RECEIVE(false),
    CANCEL(true);

    private final boolean requiresReason;

    StatusChange(boolean requiresReason) {
        this.requiresReason = requiresReason;
    }

    /** Whether the change must carry a reason. */
    public boolean requiresReason() {
        return requiresReason;
    }

    OrderTransition applyTo(FleetOrder order, String reason, Instant now) {
        return switch (this) {
            case PICK_UP -> order.pickUp(now);
            case DELIVER -> order.deliver(now);
            case FAIL_DELIVERY -> order.failDelivery(reason, now);
            case RECEIVE -> order.receive(now);
            case CANCEL -> order.cancel(reason, now);
        };
    }
}
