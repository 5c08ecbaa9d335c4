package io.fleetsaga.order.reconciliation;

import io.fleetsaga.common.lease.Lease;
import io.fleetsaga.common.lease.LeaseLostException;
import io.fleetsaga.common.lease.LeaseManager;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One run's hold on the reconciliation lease, and the only way the run writes (ARCHITECTURE rule 6).
 *
 * <p><b>Guarantees.</b>
 *
 * <ul>
 *   <li>Every write of the run passes the fence in its own transaction: {@link #write} (a transaction of its own),
 *       {@link #fenced} or {@link #fence} (inside the caller's) check the lease row under a shared lock held until the commit
 *       ({@link LeaseManager#fenced}), so no write of this run commits after another instance took the lease
 *       over — not even one that was under way while this instance was frozen.
 *   <li>A write to assignment-service carries {@link #lease()}'s fencing token, which it checks against the
 *       highest token it has seen; the run also re-reads its lease just before such a call ({@link #verify}).
 *   <li>A renewal that returns false <em>or throws</em> marks the lease lost, as does a lease not renewed for a
 *       whole time-to-live by this instance's clock (a renewal hanging on a dead connection, a paused process):
 *       {@link #check} then stops the run at its next step, and once the lease is marked lost {@link #fenced}
 *       refuses every further write, even one the lease row would still let pass — except the record that the run
 *       stopped ({@link #writeStop}).
 * </ul>
 */
final class RunLease implements Reconciler.Checkpoint {

    private final Lease lease;
    private final LeaseManager leases;
    private final Duration ttl;
    private final TransactionTemplate transaction;
    /** {@link System#nanoTime()} when the last successful renewal (or the acquisition) was sent */
    private volatile long validFrom;

    private volatile String lostBecause;

    /** @param askedAt {@link System#nanoTime()} before the acquisition was sent */
    RunLease(Lease lease, long askedAt, LeaseManager leases, Duration ttl, TransactionTemplate transaction) {
        this.lease = lease;
        this.validFrom = askedAt;
        this.leases = leases;
        this.ttl = ttl;
        this.transaction = transaction;
    }

    Lease lease() {
        return lease;
    }

    /** Whether the run must stop: the lease was lost, a renewal failed, or none succeeded for a time-to-live. */
    boolean lost() {
        if (lostBecause == null && System.nanoTime() - validFrom >= ttl.toNanos()) {
            lostBecause = "not renewed for " + ttl + " (the lease may have expired)";
        }
        return lostBecause != null;
    }

    /** Stops the run (throws) if the lease counts as lost; a step boundary, no database access. */
    @Override
    public void check() {
        if (lost()) {
            throw new LeaseLostException(lease, lostBecause);
        }
    }

    /** {@link #check}, then re-reads the lease in the database: before a write that cannot be fenced here. */
    void verify() {
        check();
        if (!leases.isHeld(lease)) {
            lostBecause = "expired or taken over";
            check();
        }
    }

    /**
     * Runs {@code work} in the caller's transaction behind the fence: refused (throws) when the lease is known to
     * be lost, or when the lease row shows it expired or taken over.
     *
     * @throws LeaseLostException then; the caller's transaction must roll back
     */
    <T> T fenced(Supplier<T> work) {
        if (lostBecause != null) {
            throw new LeaseLostException(lease, lostBecause);
        }
        return leases.fenced(lease, work);
    }

    /**
     * {@link #fenced} for the rest of the caller's transaction: every write it makes after this call commits only
     * if the lease is still held (the lock taken here is kept until the transaction ends).
     */
    void fence() {
        fenced(() -> null);
    }

    /** {@link #fenced} in a transaction of its own. */
    <T> T write(Supplier<T> work) {
        return transaction.execute(tx -> fenced(work));
    }

    /**
     * The one write allowed after the lease counts as lost: recording that the run stopped. It passes only the
     * database's fence, in a transaction of its own — so a run stopped by a failed renewal says so while nobody
     * else holds the lease, and a run whose lease was taken over is left to its successor (which marks it failed).
     */
    <T> T writeStop(Supplier<T> work) {
        return transaction.execute(tx -> leases.fenced(lease, work));
    }

    /** Renews the lease; any failure to do so — taken over, or an error — marks it lost. */
    void renew() {
        if (lostBecause != null) {
            return;
        }
        long sent = System.nanoTime();
        try {
            if (leases.renew(lease, ttl)) {
                validFrom = sent;
            } else {
                lostBecause = "taken over by another instance";
            }
        } catch (RuntimeException e) {
            lostBecause = "renewal failed: " + e;
        }
    }

    /** Why the lease counts as lost, {@code null} while it is held. */
    String lostBecause() {
        return lostBecause;
    }
}
