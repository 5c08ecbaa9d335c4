package io.fleetsaga.order.reconciliation;

import io.fleetsaga.order.order.OrderStateChanged;
import java.util.Set;

/**
 * The parked outbox event at the head of an order's events: the relay publishes an aggregate's events in order,
 * so every later event of the order waits behind it until it is re-queued or superseded.
 *
 * @param eventId the event's id
 * @param eventType e.g. {@code OrderStateChanged}, {@code AssignOrderRequested}
 * @param version the order version the event carries ({@code null} if none)
 * @param error the last error, why it was parked
 */
public record ParkedHead(String eventId, String eventType, Long version, String error) {

    /** The events that carry an order's whole current state with its version (as opposed to commands). */
    static final Set<String> STATE_EVENTS = Set.of(OrderStateChanged.TYPE, Repairs.EVENT_TYPE);

    /**
     * Whether a later state of the order makes this event redundant: true for a state event — assignment-service
     * applies states by version (a repair whatever version it holds) and derives counters and courier notifications
     * from the link as it was, so a newer state leaves nothing this one would add. Never for a command ({@code
     * AssignOrderRequested}): it asks for an effect that no state carries.
     */
    boolean supersedable() {
        return STATE_EVENTS.contains(eventType);
    }

    String describe() {
        return "held back by parked " + eventType + " " + eventId + (version == null ? "" : " (v" + version + ")")
                + ": " + error;
    }
}
