package io.fleetsaga.order.reconciliation;

/** Another run holds the run lease (on this or another instance); answered with 409. */
public class RunInProgressException extends RuntimeException {

    private final Long runningRunId;

    RunInProgressException(Long runningRunId) {
        super(
                runningRunId == null
                        ? "a reconciliation run is in progress"
                        : "reconciliation run " + runningRunId + " is in progress");
        this.runningRunId = runningRunId;
    }

    /** The run in progress, if it is known. */
    public Long runningRunId() {
        return runningRunId;
    }
}
