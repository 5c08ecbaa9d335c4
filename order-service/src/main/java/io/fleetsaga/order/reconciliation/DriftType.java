package io.fleetsaga.order.reconciliation;

import java.util.Locale;

/** The kinds of difference a reconciliation run reports. */
public enum DriftType {
    /** order-service has the order on a task; assignment-service has no link for it. */
    MISSING_LINK,
    /** assignment-service links an order that order-service has on no task (or does not know). */
    ORPHAN_LINK,
    /** Same task, but the link mirrors another status or version than the order's current one. */
    STALE_STATUS,
    /** The link is on another task than the order. */
    WRONG_TASK,
    /** A task's counters disagree with its links (one entry per task). */
    COUNTER_MISMATCH,
    /**
     * The order's oldest unpublished outbox event is parked, so none of its later events can be published: the
     * order is held back whatever the two sides hold now (reported with that event, {@link ParkedHead}).
     */
    BLOCKED;

    /** The value of the {@code type} tag of the drift metrics, e.g. {@code missing_link}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
