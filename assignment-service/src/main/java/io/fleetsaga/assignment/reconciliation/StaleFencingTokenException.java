package io.fleetsaga.assignment.reconciliation;

/** A write carried a fencing token older than one already seen for its lease: its caller lost the lease. */
public class StaleFencingTokenException extends RuntimeException {

    private final Fence fence;
    private final long highestSeen;

    StaleFencingTokenException(Fence fence, long highestSeen) {
        super("fencing token " + fence.token() + " of lease '" + fence.lease() + "' is older than token " + highestSeen
                + " seen already: the caller's lease was taken over");
        this.fence = fence;
        this.highestSeen = highestSeen;
    }

    public Fence fence() {
        return fence;
    }

    public long highestSeen() {
        return highestSeen;
    }
}
