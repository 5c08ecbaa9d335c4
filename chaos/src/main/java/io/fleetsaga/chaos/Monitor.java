package io.fleetsaga.chaos;

import io.fleetsaga.infra.FleetStack;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Samples the pipeline twice a second during a run: unsent outbox rows of both services (count and oldest age) and
 * both consumer groups' lag. From the samples, {@link #convergedAfter} tells when the system caught up after a fault.
 */
final class Monitor implements AutoCloseable {

    /** One sample; -1 where the probe could not read (database or broker down). */
    record Sample(
            Instant at,
            long unsentOrders,
            long unsentAssignments,
            long oldestUnsentMillis,
            long lagAssignment,
            long lagOrder) {

        boolean readable() {
            return unsentOrders >= 0 && unsentAssignments >= 0 && lagAssignment >= 0 && lagOrder >= 0;
        }
    }

    private final Probe probe;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    Monitor(Probe probe) {
        this.probe = probe;
        this.thread = new Thread(this::loop, "chaos-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            samples.add(sample());
            try {
                Thread.sleep(500); // sampling interval
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    Sample sample() {
        long unsentOrders = read(() -> probe.unsent(FleetStack.ORDERS_SCHEMA));
        long unsentAssignments = read(() -> probe.unsent(FleetStack.ASSIGNMENTS_SCHEMA));
        long oldest = read(() -> Math.max(
                probe.oldestUnsentMillis(FleetStack.ORDERS_SCHEMA),
                probe.oldestUnsentMillis(FleetStack.ASSIGNMENTS_SCHEMA)));
        long lagA = read(() -> probe.lag("assignment-service"));
        long lagO = read(() -> probe.lag("order-service"));
        return new Sample(Instant.now(), unsentOrders, unsentAssignments, oldest, lagA, lagO);
    }

    private static long read(java.util.function.LongSupplier value) {
        try {
            return value.getAsLong();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    /**
     * Time from {@code end} to the first sample at which the pipeline had caught up: no outbox row older than
     * {@code slack} unsent and at most {@code lagSlack} records unconsumed per group; empty if never (in the run).
     */
    java.util.Optional<Duration> convergedAfter(Instant end, Duration slack, long lagSlack) {
        for (Sample s : samples) {
            if (s.at().isBefore(end) || !s.readable()) {
                continue;
            }
            if (s.oldestUnsentMillis() <= slack.toMillis()
                    && s.lagAssignment() <= lagSlack
                    && s.lagOrder() <= lagSlack) {
                return java.util.Optional.of(Duration.between(end, s.at()));
            }
        }
        return java.util.Optional.empty();
    }

    /** The largest backlog (unsent rows of both services) seen between {@code from} and {@code to}. */
    long peakBacklog(Instant from, Instant to) {
        return samples.stream()
                .filter(s -> !s.at().isBefore(from) && !s.at().isAfter(to) && s.unsentOrders() >= 0)
                .mapToLong(s -> s.unsentOrders() + Math.max(0, s.unsentAssignments()))
                .max()
                .orElse(0);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
