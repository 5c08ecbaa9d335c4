package io.fleetsaga.assignment.reconciliation;

import java.util.Objects;

/**
 * What a caller's singleton work carries into each write: the name of the lease it holds in its own database and
 * the fencing token of its acquisition (which increases with every acquisition).
 */
public record Fence(String lease, long token) {

    /** Longest lease name (the column's size). */
    public static final int MAX_LEASE_LENGTH = 100;

    public Fence {
        Objects.requireNonNull(lease, "lease");
        if (lease.isBlank() || lease.length() > MAX_LEASE_LENGTH) {
            throw new IllegalArgumentException("lease must be 1 to " + MAX_LEASE_LENGTH + " characters");
        }
        if (token < 1) {
            throw new IllegalArgumentException("fencing token must be positive, was " + token);
        }
    }
}
