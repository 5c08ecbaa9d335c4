package io.fleetsaga.order.reconciliation;

/** A drift entry as stored for a run, with its id (for paging). */
public record StoredDrift(long id, Drift drift) {}
