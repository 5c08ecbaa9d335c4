package io.fleetsaga.chaos;

/** One named fault scenario of the harness: it drives a workload, injects its faults and records what it measured. */
interface Scenario {

    /** Short id, e.g. {@code i4-broker-outage}; used on the command line and in report file names. */
    String id();

    /** One line: what is attacked and what must hold. */
    String title();

    /** Runs the workload and the faults; returns when the workload has stopped (quiescence is the harness's). */
    void run(RunContext context) throws Exception;

    /** Whether the scenario forces permanent failures, so that parked outbox rows (with a reason) are expected. */
    default boolean forcesPermanentFailures() {
        return false;
    }
}
