package io.fleetsaga.order.reconciliation;

import io.fleetsaga.common.lease.Lease;
import io.fleetsaga.common.lease.LeaseManager;
import io.fleetsaga.common.scheduling.TaskStatus;
import io.fleetsaga.common.scheduling.WatchedTask;
import io.fleetsaga.common.scheduling.WatchedTasks;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

/**
 * Starts reconciliation runs — on demand and on the schedule — one at a time across all instances.
 *
 * <p><b>Guarantees.</b> A run holds the lease {@value #LEASE} (owner token + fencing counter, database clock)
 * from before its row is created until its result is stored; the lease is renewed every third of its
 * time-to-live, and a run that loses it stops at its next step and is recorded as failed. A manual start while
 * the lease is held anywhere is refused ({@link RunInProgressException}). Scheduled runs are keyed by their
 * schedule slot (a unique column), so instances that fire together create one run per slot even if one of them
 * finished before the other looked. Runs left {@code RUNNING} by a stopped instance are marked failed by the next
 * lease holder.
 */
@Service
public class ReconciliationService implements DisposableBean, WatchedTasks {

    static final String LEASE = "reconciliation";
    private static final Logger log = LoggerFactory.getLogger(ReconciliationService.class);

    private final Reconciler reconciler;
    private final Repairs repairs;
    private final ReconciliationRuns runs;
    private final LeaseManager leases;
    private final ReconciliationMetrics metrics;
    private final ReconciliationSettings settings;
    private final String instance;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> daemon(r, "reconciliation-run"));
    private final ScheduledExecutorService renewals =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "reconciliation-lease"));
    /** Renewals of the run lease, watched while a run goes on: two missed renewals put the lease at risk. */
    private final WatchedTask leaseRenewal;

    ReconciliationService(
            Reconciler reconciler,
            Repairs repairs,
            ReconciliationRuns runs,
            LeaseManager leases,
            ReconciliationMetrics metrics,
            ReconciliationSettings settings) {
        this.reconciler = reconciler;
        this.repairs = repairs;
        this.runs = runs;
        this.leases = leases;
        this.metrics = metrics;
        this.settings = settings;
        this.instance = hostName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.leaseRenewal = new WatchedTask(
                "reconciliation-lease-renewal",
                settings.leaseTtl().multipliedBy(2).dividedBy(3));
    }

    /**
     * Starts a run now, in the background.
     *
     * @return the run as recorded (status {@code RUNNING})
     * @throws RunInProgressException when a run holds the lease
     */
    public RunReport start(RunRequest request, String requestedBy) {
        Lease lease = leases.tryAcquire(LEASE, instance, settings.leaseTtl())
                .orElseThrow(() -> new RunInProgressException(
                        runs.running().map(RunReport::id).orElse(null)));
        long runId;
        try {
            abandonStale();
            runId = runs.start("MANUAL", null, request, requestedBy, instance).orElseThrow();
        } catch (RuntimeException e) {
            leases.release(lease);
            throw e;
        }
        submit(runId, request, lease);
        return runs.find(runId).orElseThrow();
    }

    /**
     * The schedule's turn for {@code slot}: runs if no run holds the lease and no instance has run this slot.
     *
     * @return the run's id, empty when skipped
     */
    OptionalLong startScheduled(long slot) {
        Optional<Lease> lease = leases.tryAcquire(LEASE, instance, settings.leaseTtl());
        if (lease.isEmpty()) {
            log.debug("schedule slot {}: a run is in progress elsewhere, skipped", slot);
            metrics.scheduleSkipped(false);
            return OptionalLong.empty();
        }
        OptionalLong runId;
        try {
            abandonStale();
            runId = runs.start("SCHEDULED", slot, RunRequest.scheduled(settings.scheduledMode()), null, instance);
        } catch (RuntimeException e) {
            leases.release(lease.get());
            throw e;
        }
        if (runId.isEmpty()) {
            leases.release(lease.get());
            log.debug("schedule slot {} was run by another instance", slot);
            metrics.scheduleSkipped(true);
            return runId;
        }
        submit(runId.getAsLong(), RunRequest.scheduled(settings.scheduledMode()), lease.get());
        return runId;
    }

    public Optional<RunReport> find(long runId) {
        return runs.find(runId);
    }

    public List<RunReport> recent(int limit) {
        return runs.recent(limit);
    }

    public List<StoredDrift> drift(long runId, DriftType type, long afterId, int limit) {
        return runs.drift(runId, type, afterId, limit);
    }

    private void abandonStale() {
        int abandoned = runs.abandonRunning();
        if (abandoned > 0) {
            log.warn("{} reconciliation run(s) were left running by a stopped instance: marked failed", abandoned);
        }
    }

    private void submit(long runId, RunRequest request, Lease lease) {
        try {
            executor.execute(() -> execute(runId, request, lease));
        } catch (RuntimeException rejected) {
            runs.fail(runId, "not started: " + rejected);
            leases.release(lease);
            throw rejected;
        }
    }

    private void execute(long runId, RunRequest request, Lease lease) {
        Instant started = Instant.now();
        AtomicBoolean lost = new AtomicBoolean();
        long renewEvery = Math.max(1, settings.leaseTtl().toMillis() / 3);
        leaseRenewal.started();
        ScheduledFuture<?> renewal = renewals.scheduleWithFixedDelay(
                () -> renew(lease, lost), renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        Reconciler.Checkpoint checkpoint = () -> {
            if (lost.get()) {
                throw new IllegalStateException("the run lease was lost (taken over after expiry)");
            }
        };
        try {
            log.info("reconciliation run {} started: {}", runId, request);
            Reconciler.Findings findings = reconciler.reconcile(request, checkpoint);
            List<Drift> drift = request.mode() == RunRequest.Mode.REPAIR
                    ? repairs.repair(findings.drift, checkpoint)
                    : findings.drift;
            checkpoint.check();
            if (!runs.complete(runId, findings, drift)) {
                log.warn("reconciliation run {} was marked abandoned meanwhile; its result is not stored", runId);
            }
            log.info(
                    "reconciliation run {} completed: {} drift, {} candidates, {} in flight, {} unsettled",
                    runId,
                    drift.size(),
                    findings.candidates,
                    findings.inFlight,
                    findings.unsettled);
            metrics.completed(Duration.between(started, Instant.now()), drift);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(runId, started, "interrupted (instance stopping)");
        } catch (RuntimeException e) {
            log.warn("reconciliation run {} failed", runId, e);
            fail(runId, started, e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            renewal.cancel(false);
            leaseRenewal.stopped();
            if (!lost.get()) {
                leases.release(lease);
            }
        }
    }

    private void fail(long runId, Instant started, String error) {
        try {
            runs.fail(runId, error);
        } catch (RuntimeException e) {
            log.warn("cannot record the failure of reconciliation run {}: {}", runId, e.toString());
        }
        metrics.failed(Duration.between(started, Instant.now()));
    }

    private void renew(Lease lease, AtomicBoolean lost) {
        try {
            if (lost.get()) {
                return;
            }
            if (leases.renew(lease, settings.leaseTtl())) {
                leaseRenewal.completed();
            } else {
                lost.set(true);
                log.warn("reconciliation lease {} was lost", lease);
            }
        } catch (RuntimeException e) {
            log.warn("cannot renew the reconciliation lease, will retry: {}", e.toString());
        }
    }

    @Override
    public List<TaskStatus> taskStatuses() {
        return leaseRenewal.active() ? List.of(leaseRenewal.status()) : List.of();
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
        renewals.shutdownNow();
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }
}
