package io.fleetsaga.order.reconciliation;

import java.util.Set;

/**
 * The log order-service's events go through to assignment-service ({@code fleet.order.events}), as far as the
 * reconciliation needs it to tell drift from events still in flight: where each partition ends now, and which
 * partition an order's events go to. Implemented over the broker's admin API; the domain sees no broker types.
 */
public interface EventLog {

    /**
     * Where each partition of the topic ends now: every event published before this call has a position below it.
     *
     * @throws EventLogUnavailableException when the broker does not answer in time
     */
    LogPositions ends();

    /** The partitions (one per topic named in {@code ends}) that the events of {@code orderId} are published to. */
    Set<LogPartition> partitionsOf(String orderId, LogPositions ends);

    /** The broker could not be asked; the run fails and the next one tries again. */
    final class EventLogUnavailableException extends RuntimeException {

        public EventLogUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
