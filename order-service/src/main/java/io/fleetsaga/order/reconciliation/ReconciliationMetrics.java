package io.fleetsaga.order.reconciliation;

import io.fleetsaga.common.scheduling.PeriodicTasks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The reconciliation's metrics. The gauges show the last completed run of <em>any</em> instance (read from the
 * database every {@code metrics-refresh} and after each run here), so every replica reports the same drift and a
 * restart does not reset it to zero:
 *
 * <ul>
 *   <li>{@code reconciliation_drift_orders{type}}: drift of the last completed run ({@code counter_mismatch}
 *       counts tasks; {@code blocked}: orders held back by a parked outbox event)
 *   <li>{@code reconciliation_unsettled_orders}: orders of the last completed run that kept changing through every
 *       re-check (neither drift nor proven consistent)
 *   <li>{@code reconciliation_lagging_orders}: differences of the last completed run that assignment-service's
 *       consumer had not caught up with by the last re-check (events in flight, not drift)
 *   <li>{@code reconciliation_drift_consecutive_runs}: completed runs in a row, latest first, that found drift
 *   <li>{@code reconciliation_last_success_timestamp_seconds}: end of the last completed run (0: none yet)
 *   <li>{@code reconciliation_interval_seconds}: the schedule interval, for "no success for 3× the interval"
 * </ul>
 *
 * The counters and the timer count this instance's runs: {@code reconciliation_runs_total{outcome}},
 * {@code reconciliation_repairs_total{result}}, {@code reconciliation_duration_seconds}, and
 * {@code reconciliation_schedule_skipped_total{reason}} (slots another instance ran, or skipped because a run held
 * the lease).
 */
@Component
class ReconciliationMetrics implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ReconciliationMetrics.class);

    private final ReconciliationRuns runs;
    private final ReconciliationSettings settings;
    private final Map<DriftType, Integer> drift = new EnumMap<>(DriftType.class);
    private final Map<RepairResult, Counter> repairs = new EnumMap<>(RepairResult.class);
    private final Counter slotTaken;
    private final Counter leaseHeld;
    private final Counter completed;
    private final Counter failed;
    private final Timer duration;
    private final PeriodicTasks tasks = new PeriodicTasks("reconciliation-metrics");
    private volatile int consecutive;
    private volatile double lastSuccess;
    private volatile int unsettled;
    private volatile int lagging;

    ReconciliationMetrics(ReconciliationRuns runs, ReconciliationSettings settings, MeterRegistry registry) {
        this.runs = runs;
        this.settings = settings;
        for (DriftType type : DriftType.values()) {
            drift.put(type, 0);
            Gauge.builder("reconciliation.drift.orders", this, m -> m.driftOf(type))
                    .description("Drift found by the last completed reconciliation run (counter_mismatch: tasks)")
                    .tag("type", type.tag())
                    .register(registry);
        }
        for (RepairResult result : RepairResult.values()) {
            repairs.put(
                    result,
                    Counter.builder("reconciliation.repairs")
                            .description("Drift entries handled by repair runs of this instance")
                            .tag("result", result.tag())
                            .register(registry));
        }
        Gauge.builder("reconciliation.unsettled.orders", this, m -> m.unsettled)
                .description("Orders the last completed reconciliation run found still changing after every re-check")
                .register(registry);
        Gauge.builder("reconciliation.lagging.orders", this, m -> m.lagging)
                .description("Differences the last completed reconciliation run left open because assignment-service's"
                        + " consumer had not yet applied the events published before them")
                .register(registry);
        Gauge.builder("reconciliation.drift.consecutive.runs", this, m -> m.consecutive)
                .description("Completed reconciliation runs in a row, latest first, that found drift")
                .register(registry);
        Gauge.builder("reconciliation.last.success.timestamp", this, m -> m.lastSuccess)
                .baseUnit("seconds")
                .description("End of the last completed reconciliation run (unix time; 0 when none)")
                .register(registry);
        Gauge.builder("reconciliation.interval", settings, s -> s.interval().toMillis() / 1000.0)
                .baseUnit("seconds")
                .description("Interval of scheduled reconciliation runs")
                .register(registry);
        slotTaken = skipsCounter(registry, "slot_taken");
        leaseHeld = skipsCounter(registry, "lease_held");
        completed = runsCounter(registry, "completed");
        failed = runsCounter(registry, "failed");
        duration = Timer.builder("reconciliation.duration")
                .description("Duration of reconciliation runs of this instance, grace periods included")
                .register(registry);
    }

    private static Counter runsCounter(MeterRegistry registry, String outcome) {
        return Counter.builder("reconciliation.runs")
                .description("Reconciliation runs of this instance by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static Counter skipsCounter(MeterRegistry registry, String reason) {
        return Counter.builder("reconciliation.schedule.skipped")
                .description("Schedule slots this instance did not run because another run held the lease or"
                        + " another instance had run the slot")
                .tag("reason", reason)
                .register(registry);
    }

    /** This instance's turn in the schedule was skipped: {@code slotTaken} or the lease was held. */
    void scheduleSkipped(boolean slotTaken) {
        (slotTaken ? this.slotTaken : leaseHeld).increment();
    }

    private synchronized double driftOf(DriftType type) {
        return drift.get(type);
    }

    void completed(Duration took, List<Drift> found) {
        completed.increment();
        duration.record(took);
        found.stream()
                .filter(d -> d.repair() != null)
                .forEach(d -> repairs.get(d.repair()).increment());
        refresh();
    }

    void failed(Duration took) {
        failed.increment();
        duration.record(took);
        refresh();
    }

    /** Re-reads the last completed run. */
    void refresh() {
        try {
            Optional<RunReport> last = runs.lastCompleted();
            synchronized (this) {
                for (DriftType type : DriftType.values()) {
                    drift.put(type, last.map(r -> r.drift().get(type)).orElse(0));
                }
            }
            unsettled = last.map(RunReport::unsettled).orElse(0);
            lagging = last.map(RunReport::lagging).orElse(0);
            consecutive = runs.consecutiveRunsWithDrift();
            lastSuccess = last.map(r -> r.finishedAt().toEpochMilli() / 1000.0).orElse(0.0);
        } catch (RuntimeException e) {
            log.warn("cannot refresh the reconciliation gauges: {}", e.toString());
        }
    }

    @Override
    public void start() {
        tasks.every(Duration.ZERO, settings.metricsRefresh(), this::refresh);
    }

    @Override
    public void stop() {
        tasks.stop(Duration.ofSeconds(5));
    }

    @Override
    public boolean isRunning() {
        return tasks.isRunning();
    }
}
