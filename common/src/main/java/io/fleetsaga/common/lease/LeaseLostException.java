package io.fleetsaga.common.lease;

/** The caller no longer holds the lease it claims to hold: it expired and someone else took it over. */
public class LeaseLostException extends RuntimeException {

    public LeaseLostException(Lease lease) {
        super("lease '" + lease.name() + "' (fencing token " + lease.fencingToken() + ") is no longer held by "
                + lease.owner());
    }
}
