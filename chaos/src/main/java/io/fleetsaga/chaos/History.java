package io.fleetsaga.chaos;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything that happened in a run, as seen from outside: every dispatcher operation (invoked, then ok / rejected /
 * failed / unknown, with its answer and latency) and every fault with its start and end. Thread-safe, append-only.
 *
 * <p>Outcomes, Jepsen-style: <b>ok</b> — a 2xx, the change is acknowledged; <b>rejected</b> — a definite 4xx, nothing
 * changed; <b>failed</b> — nothing can have changed (the connection was refused, or a 503 / 409 with {@code
 * Retry-After}, which the API promises changed nothing); <b>unknown</b> — the request may or may not have taken
 * effect (a timeout, a connection reset after sending, a 5xx without that promise).
 */
final class History {

    enum Outcome {
        OK,
        REJECTED,
        FAILED,
        UNKNOWN
    }

    /**
     * One HTTP call of the workload.
     *
     * @param id sequence number
     * @param kind the operation, e.g. {@code pickup}, {@code batch:RECEIVE}, {@code item:RECEIVE} (one item of a batch), {@code create}
     * @param subject the order (or task) it is about; a batch names its first order
     * @param key the {@code Idempotency-Key} sent, or {@code null}
     * @param attempt 1 for the first call with this key, 2… for retries of the same request
     * @param instance the port of the service instance called
     * @param invokedAt when the call was sent
     * @param latencyMillis until the answer (or the failure)
     * @param status the HTTP status, 0 without an answer
     * @param version the order version in the answer, or {@code null}
     * @param detail a short excerpt of the answer or the failure
     */
    record Op(
            long id,
            String kind,
            String subject,
            String key,
            int attempt,
            int instance,
            Instant invokedAt,
            long latencyMillis,
            Outcome outcome,
            int status,
            Long version,
            String toStatus,
            String detail) {}

    /**
     * One injected fault.
     *
     * @param name e.g. {@code kill -9}, {@code SIGSTOP}, {@code black hole}
     * @param target e.g. {@code assignment-service:43121}, {@code broker}, {@code database proxy}
     * @param end {@code null} while it lasts
     */
    record Fault(String name, String target, Instant start, Instant end, String detail) {}

    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
    private final List<Fault> faults = new ArrayList<>();

    long nextId() {
        return sequence.incrementAndGet();
    }

    void record(Op op) {
        ops.add(op);
    }

    List<Op> ops() {
        return List.copyOf(ops);
    }

    /** Records the start of a fault; pass the index to {@link #faultEnded}. */
    synchronized int faultStarted(String name, String target, String detail) {
        faults.add(new Fault(name, target, Instant.now(), null, detail));
        return faults.size() - 1;
    }

    synchronized void faultEnded(int index) {
        Fault f = faults.get(index);
        faults.set(index, new Fault(f.name(), f.target(), f.start(), Instant.now(), f.detail()));
    }

    /** A fault that is over at once (a kill); its end is its start. */
    synchronized void instantFault(String name, String target, String detail) {
        Instant now = Instant.now();
        faults.add(new Fault(name, target, now, now, detail));
    }

    synchronized List<Fault> faults() {
        return List.copyOf(faults);
    }
}
