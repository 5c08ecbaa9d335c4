package io.fleetsaga.common.lease;

/**
 * The caller no longer holds the lease it claims to hold, or cannot be sure it does: it expired and someone else
 * took it over, or its renewal failed. Work under the lease must stop and write nothing more.
 */
public class LeaseLostException extends RuntimeException {

    private final transient Lease lease;

    public LeaseLostException(Lease lease) {
        this(lease, "it expired or was taken over");
    }

    /** @param reason why the lease counts as lost, e.g. "renewal failed: …" */
    public LeaseLostException(Lease lease, String reason) {
        super("lease '" + lease.name() + "' (fencing token " + lease.fencingToken() + ") is no longer held by "
                + lease.owner() + ": " + reason);
        this.lease = lease;
    }

    public Lease lease() {
        return lease;
    }
}
