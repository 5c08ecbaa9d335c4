package io.fleetsaga.order.reconciliation;

import io.fleetsaga.common.lease.LeaseLostException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Starts reconciliation runs — on demand and on the schedule — one at a time across all instances.
 *
 * <p><b>Guarantees.</b> A run holds the lease {@value #LEASE} (owner token + fencing counter, database clock)
 * from before its row is created until its result is stored; the lease is renewed every third of its
 * time-to-live. Every write of the run — its row, its drift, its repairs, its completion or failure — passes the
 * lease's fence in the write's own transaction ({@link RunLease}), so a holder whose lease was taken over writes
 * nothing, however long it was frozen. A renewal that fails in any way (taken over, an error, no success for a
 * time-to-live) counts as a lost lease: the run stops at its next step and writes nothing more but its failure,
 * which is recorded only while the database's fence still lets it pass (else the next lease holder marks the run
 * failed). A manual start while
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
    private final TransactionTemplate transaction;
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
            ReconciliationSettings settings,
            PlatformTransactionManager transactions) {
        this.reconciler = reconciler;
        this.repairs = repairs;
        this.runs = runs;
        this.leases = leases;
        this.metrics = metrics;
        this.settings = settings;
        this.transaction = new TransactionTemplate(transactions);
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
        RunLease lease = acquire()
                .orElseThrow(() -> new RunInProgressException(
                        runs.running().map(RunReport::id).orElse(null)));
        long runId;
        try {
            runId = lease.write(() -> {
                        abandonStale();
                        return runs.start("MANUAL", null, request, requestedBy, instance);
                    })
                    .orElseThrow();
        } catch (RuntimeException e) {
            leases.release(lease.lease());
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
        Optional<RunLease> lease = acquire();
        if (lease.isEmpty()) {
            log.debug("schedule slot {}: a run is in progress elsewhere, skipped", slot);
            metrics.scheduleSkipped(false);
            return OptionalLong.empty();
        }
        OptionalLong runId;
        try {
            runId = lease.get().write(() -> {
                abandonStale();
                return runs.start("SCHEDULED", slot, RunRequest.scheduled(settings.scheduledMode()), null, instance);
            });
        } catch (RuntimeException e) {
            leases.release(lease.get().lease());
            throw e;
        }
        if (runId.isEmpty()) {
            leases.release(lease.get().lease());
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

    private Optional<RunLease> acquire() {
        long askedAt = System.nanoTime();
        return leases.tryAcquire(LEASE, instance, settings.leaseTtl())
                .map(lease -> new RunLease(lease, askedAt, leases, settings.leaseTtl(), transaction));
    }

    /** Only with the lease held, inside a fenced write. */
    private void abandonStale() {
        int abandoned = runs.abandonRunning();
        if (abandoned > 0) {
            log.warn("{} reconciliation run(s) were left running by a stopped instance: marked failed", abandoned);
        }
    }

    private void submit(long runId, RunRequest request, RunLease lease) {
        try {
            executor.execute(() -> execute(runId, request, lease));
        } catch (RuntimeException rejected) {
            recordFailure(runId, lease, "not started: " + rejected);
            leases.release(lease.lease());
            throw rejected;
        }
    }

    private void execute(long runId, RunRequest request, RunLease lease) {
        Instant started = Instant.now();
        long renewEvery = Math.max(1, settings.leaseTtl().toMillis() / 3);
        leaseRenewal.started();
        ScheduledFuture<?> renewal =
                renewals.scheduleWithFixedDelay(() -> renew(lease), renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        try {
            log.info("reconciliation run {} started: {}", runId, request);
            Reconciler.Findings findings = reconciler.reconcile(request, lease);
            List<Drift> drift =
                    request.mode() == RunRequest.Mode.REPAIR ? repairs.repair(findings.drift, lease) : findings.drift;
            lease.check();
            if (!lease.write(() -> runs.complete(runId, findings, drift))) {
                log.warn("reconciliation run {} was marked abandoned meanwhile; its result is not stored", runId);
            }
            log.info(
                    "reconciliation run {} completed: {} drift, {} candidates, {} in flight, {} unsettled, {} lagging",
                    runId,
                    drift.size(),
                    findings.candidates,
                    findings.inFlight,
                    findings.unsettled,
                    findings.lagging);
            metrics.completed(Duration.between(started, Instant.now()), drift);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(runId, lease, started, "interrupted (instance stopping)");
        } catch (RuntimeException e) {
            log.warn("reconciliation run {} failed", runId, e);
            fail(runId, lease, started, e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            renewal.cancel(false);
            leaseRenewal.stopped();
            // conditional on owner and fencing token: changes nothing when the lease was taken over
            leases.release(lease.lease());
        }
    }

    private void fail(long runId, RunLease lease, Instant started, String error) {
        recordFailure(runId, lease, error);
        metrics.failed(Duration.between(started, Instant.now()));
    }

    /** Fenced: a holder whose lease was taken over leaves the run to the next holder. */
    private void recordFailure(long runId, RunLease lease, String error) {
        try {
            lease.writeStop(() -> {
                runs.fail(runId, error);
                return null;
            });
        } catch (LeaseLostException e) {
            log.warn(
                    "reconciliation run {} failed and its lease is lost ({}): the next lease holder marks it failed",
                    runId,
                    e.getMessage());
        } catch (RuntimeException e) {
            log.warn("cannot record the failure of reconciliation run {}: {}", runId, e.toString());
        }
    }

    private void renew(RunLease lease) {
        if (lease.lostBecause() != null) {
            return;
        }
        lease.renew();
        if (lease.lostBecause() != null) {
            log.warn("reconciliation lease {} counts as lost, the run stops: {}", lease.lease(), lease.lostBecause());
        } else {
            leaseRenewal.completed();
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
