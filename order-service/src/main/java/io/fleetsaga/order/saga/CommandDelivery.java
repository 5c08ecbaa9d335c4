package io.fleetsaga.order.saga;

import java.util.Locale;

/**
 * Where a saga's current command is on its way to assignment-service, as the transactional outbox says. The
 * deadline of an attempt runs only from the moment the broker acknowledged its command ({@link #SENT}): a broker
 * that is down delays the saga, it never makes it give up (ARCHITECTURE rule 8).
 */
public enum CommandDelivery {
    /** In the outbox, not yet acknowledged by the broker (the relay retries, e.g. while the broker is down). */
    IN_OUTBOX,
    /**
     * Parked in the outbox after a failure that is the record's own: it will not be sent until ops requeue it. The
     * saga waits (it is not timed out) and is counted in {@code saga_running{command="parked"}}.
     */
    PARKED,
    /** Acknowledged by the broker at its {@code sentAt}: the attempt's deadline runs from then. */
    SENT,
    /**
     * The outbox no longer knows the command: its sent row was cleaned up after the outbox retention (days, far
     * longer than any attempt), or the saga is older than command tracking. Counts as sent long ago.
     */
    UNTRACKED;

    /** From an {@code outbox_event.status} ({@code null}: no row). A status this code does not know counts as untracked. */
    static CommandDelivery ofOutboxStatus(String status) {
        if (status == null) {
            return UNTRACKED;
        }
        return switch (status) {
            case "PENDING" -> IN_OUTBOX;
            case "PARKED" -> PARKED;
            case "SENT" -> SENT;
            default -> UNTRACKED;
        };
    }

    /** Tag value of the {@code saga_running} gauge. */
    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
