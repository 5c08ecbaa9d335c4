package io.fleetsaga.chaos;

/** One named fault scenario of the harness: it drives a workload, injects its faults and records what it measured. */
abstract class Scenario {

    private final String id;
    private final String title;

    /**
     * @param id short id, e.g. {@code i4-broker-outage}; used on the command line and in report file names
     * @param title one line: what is attacked and what must hold
     */
    Scenario(String id, String title) {
        this.id = id;
        this.title = title;
    }

    String id() {
        return id;
    }

    String title() {
        return title;
    }

    /** Runs the workload and the faults; returns when the workload has stopped (quiescence is the harness's). */
    abstract void run(RunContext context) throws Exception;

    /** Whether the scenario forces permanent failures, so that parked outbox rows (with a reason) are expected. */
    boolean forcesPermanentFailures() {
        return false;
    }
}
