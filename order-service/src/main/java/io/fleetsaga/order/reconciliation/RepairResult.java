package io.fleetsaga.order.reconciliation;

import java.util.Locale;

/** What a repair run did about one drift entry. */
public enum RepairResult {
    /** The order's current state was appended to the outbox ({@code OrderStateRepair}). */
    PUBLISHED,
    /** assignment-service recomputed the task's counters from its links. */
    RECOMPUTED,
    /** Nothing to do or nothing that can be done automatically (see the entry's detail). */
    SKIPPED,
    /** The repair failed (see the entry's detail); the next repair run tries again. */
    FAILED;

    /** The value of the {@code result} tag of {@code reconciliation_repairs_total}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
