package io.fleetsaga.chaos;

import io.fleetsaga.infra.ServiceProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;

/** What a {@link Scenario} works with: the stack, the client, the history, its parameters and its measurements. */
final class RunContext {

    final Harness harness;
    final Api api;
    final History history;
    final Parameters parameters;
    final String prefix;
    final Random random;
    final Map<String, Object> measurements = new LinkedHashMap<>();
    final List<Checker.Invariant> invariants = new ArrayList<>();
    private final List<ServiceProcess> supervised = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Thread> supervisors = new ArrayList<>();
    private final List<Runnable> afterQuiescence = new ArrayList<>();
    private final List<Workload> workloads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean supervising = new AtomicBoolean();

    RunContext(Harness harness, Api api, History history, Parameters parameters, String prefix) {
        this.harness = harness;
        this.api = api;
        this.history = history;
        this.parameters = parameters;
        this.prefix = prefix;
        this.random = new Random(parameters.seed());
    }

    /** The scenario's dispatchers, shaped by the parameters (not started; stopped by the harness at the latest). */
    Workload workload() {
        return workload(
                "o",
                parameters.seed(),
                new Workload.Shape(
                        parameters.clients(), parameters.rate(), parameters.tasks(), parameters.orders(), 0.05, 0.05));
    }

    /** Another workload of the scenario: its own {@code tag} in order ids and keys. */
    Workload workload(String tag, long seed, Workload.Shape shape) {
        Workload workload = new Workload(api, prefix, tag, seed, shape);
        workloads.add(workload);
        return workload;
    }

    /** Stops every workload of the scenario (also one a failing scenario left running). */
    void stopWorkloads() {
        workloads.forEach(Workload::stop);
    }

    /** Lets the workload run for {@code duration} (a phase of the scenario, not a wait for a condition). */
    void phase(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    /**
     * Lets the workload run for {@code duration}, and on (up to three times as long) until {@code enough} holds: a
     * scenario whose faults come by chance gets the chances it needs.
     */
    void phaseUntil(Duration duration, java.util.function.BooleanSupplier enough) throws InterruptedException {
        phase(duration);
        Probe.await(duration.multipliedBy(2), enough);
    }

    /**
     * A check the harness runs once the system is quiet again (after the bounded quiescence wait, before the
     * checker): for verdicts about what an outage's backlog did, which only the end of its draining shows.
     */
    void afterQuiescence(Runnable check) {
        afterQuiescence.add(check);
    }

    void runAfterQuiescence() {
        afterQuiescence.forEach(Runnable::run);
    }

    /** Records {@code value} under {@code name} in the report. */
    void measure(String name, Object value) {
        measurements.put(name, value);
    }

    /** A scenario-specific invariant, reported with the checker's. */
    void invariant(String name, String promise, boolean passed, long violations, List<String> evidence) {
        invariants.add(new Checker.Invariant(name, promise, passed, violations, evidence));
    }

    /** An invariant that holds when there is no evidence against it, one violation per line of evidence. */
    void invariant(String name, String promise, List<String> evidence) {
        invariant(name, promise, evidence.isEmpty(), evidence.size(), evidence);
    }

    /**
     * Runs {@code start}, holds the fault for {@code length}, runs {@code end}; records it in the history. The fault
     * ends, in the history, when its repair begins (a restarted broker needs seconds of this machine's CPU: the
     * co-located services' latency then is the machine's, not the outage's); convergence is measured from there.
     */
    void fault(String name, String target, Duration length, Runnable start, Runnable end) throws InterruptedException {
        int index = history.faultStarted(name, target, "for " + length);
        start.run();
        try {
            Thread.sleep(length.toMillis()); // the fault's length
        } finally {
            history.faultEnded(index);
            end.run();
        }
    }

    /**
     * {@code kill -9} of {@code service}, then a restart with the same port, data and settings; returns the time
     * from the restart being ready to its consumer having caught up with everything produced until then.
     */
    Duration killAndRestart(ServiceProcess service, String group) {
        history.instantFault("kill -9", target(service), "pid " + service.pid());
        service.kill();
        Instant relaunched = Instant.now();
        int index = history.faultStarted("restart", target(service), "after kill -9");
        service.relaunch().awaitReady(Duration.ofMinutes(3));
        history.faultEnded(index);
        Instant ready = Instant.now();
        Duration catchUp = catchUp(group, Duration.ofMinutes(2));
        measurements.merge(
                "restartToReadySeconds",
                List.of(Duration.between(relaunched, ready).toMillis() / 1000.0),
                RunContext::append);
        measurements.merge("readyToCaughtUpSeconds", List.of(catchUp.toMillis() / 1000.0), RunContext::append);
        return catchUp;
    }

    /**
     * Time until {@code group} has committed everything that was in its topic at the moment of the call (its
     * consumer caught up); {@code max} when it did not within {@code max}.
     */
    Duration catchUp(String group, Duration max) {
        long started = System.nanoTime();
        Map<TopicPartition, Long> targets = harness.probe.endOffsets(Probe.GROUPS.get(group));
        boolean reached = Probe.await(max, () -> harness.probe.reached(group, targets));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        return reached ? took : max;
    }

    /**
     * Arms {@code service}'s crash points with {@code spec} (e.g. {@code inbox.after-commit=0.05}) in the running
     * process and keeps it running: relaunches it whenever it exits, as a process supervisor (Kubernetes, systemd)
     * would, recording each exit as a fault; the relaunched process reads the same armed file. Until {@link
     * #stopSupervising}, which disarms them — no restart either way.
     */
    void supervise(ServiceProcess service, String spec) {
        supervising.set(true);
        supervised.add(service);
        harness.armCrashPoints(service, spec);
        Thread thread = new Thread(
                () -> {
                    while (supervising.get()) {
                        if (!service.isAlive()) {
                            relaunchAfterCrash(service);
                        }
                        try {
                            Thread.sleep(200); // supervisor's check interval
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "chaos-supervisor");
        thread.setDaemon(true);
        thread.start();
        supervisors.add(thread);
    }

    /** How long supervisors keep watching after crash points were disarmed (see {@link #stopSupervising}). */
    private static final Duration DISARM_GRACE = Duration.ofSeconds(3);

    private void relaunchAfterCrash(ServiceProcess service) {
        history.instantFault("crash point fired", target(service), "process exited; relaunched");
        int index = history.faultStarted("restart", target(service), "after a crash point");
        try {
            service.relaunch().awaitReady(Duration.ofMinutes(3));
        } catch (RuntimeException e) {
            // it may crash again while starting: the next round relaunches it
        }
        history.faultEnded(index);
    }

    /**
     * Ends every {@link #supervise}: disarms the crash points of {@code services}, stops the supervisors, and
     * relaunches a service that a crash point halted at the last moment (a hit that read the file just before it was
     * disarmed).
     */
    void stopSupervising(List<ServiceProcess> services) throws InterruptedException {
        services.forEach(s -> harness.armCrashPoints(s, ""));
        if (!supervising.get()) {
            return;
        }
        // a hit that read the file just before it was emptied still halts its JVM, and a halting JVM looks alive
        // for a while: the supervisors keep watching (and relaunching) for this grace before they stop
        Thread.sleep(DISARM_GRACE.toMillis());
        supervising.set(false);
        for (Thread t : supervisors) {
            t.join(Duration.ofMinutes(4).toMillis());
        }
        supervisors.clear();
        for (ServiceProcess s : services) {
            if (!s.isAlive()) {
                relaunchAfterCrash(s);
            }
        }
    }

    /** Ends supervision a failing scenario left on: the services run again without their crash points. */
    void cleanUp() throws InterruptedException {
        stopWorkloads();
        stopSupervising(List.copyOf(supervised));
        supervised.clear();
    }

    int crashes() {
        return (int) history.faults().stream()
                .filter(f -> f.name().equals("crash point fired"))
                .count();
    }

    static String target(ServiceProcess service) {
        return service.name() + ":" + service.port();
    }

    @SuppressWarnings("unchecked")
    private static Object append(Object a, Object b) {
        List<Object> all = new ArrayList<>((List<Object>) a);
        all.addAll((List<Object>) b);
        return all;
    }
}
