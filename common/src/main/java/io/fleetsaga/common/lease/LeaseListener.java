package io.fleetsaga.common.lease;

/** Hooks the lease manager calls on ownership changes; must not throw. */
public interface LeaseListener {

    default void acquired(Lease lease) {}

    default void released(Lease lease) {}

    /** Renewal or a fenced write found the lease taken over. */
    default void lost(Lease lease) {}
}
