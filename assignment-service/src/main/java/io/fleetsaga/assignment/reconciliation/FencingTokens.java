package io.fleetsaga.assignment.reconciliation;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The receiving end of fencing across the service boundary ({@code reconciliation_fence}): the highest fencing
 * token seen per lease name. The lease is held in order-service's database, which this service never reads, so it
 * cannot check the lease itself; instead it refuses any write whose token is lower than one it has seen.
 *
 * <p><b>Guarantee.</b> {@link #pass} runs in the caller's transaction, before its write: it raises the stored token
 * to the caller's if that is higher and reads it back under the row's exclusive lock, which is held until the
 * write commits. A holder with a newer token therefore waits for an older holder's write in flight to commit, and
 * every write of the older holder that starts after that is refused — no write of a holder whose lease was taken
 * over commits after a write of its successor. Writes under one lease are serialised by that lock (they are the
 * rare repairs of one singleton run).
 *
 * <p><b>Limit.</b> Only tokens that reached this service are known: a stale holder's request that arrives before
 * any request of its successor is accepted. The writes fenced here (counter recomputes) are idempotent and computed
 * from the links under the task's lock, so such a late request cannot make the counters wrong; order-service also
 * checks its lease right before it sends one.
 */
@Repository
class FencingTokens {

    private final JdbcTemplate jdbc;

    FencingTokens(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records {@code fence}'s token as seen and lets the caller's write go on, or refuses it.
     *
     * @throws StaleFencingTokenException when a higher token of the lease was seen; the caller's transaction must
     *     roll back
     * @throws IllegalStateException without an active transaction (the lock would end before the write)
     */
    void pass(Fence fence) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("a fenced write needs the caller's transaction");
        }
        // INSERT … ON DUPLICATE KEY takes the row's exclusive lock in both cases (also when the token is lower)
        jdbc.update(
                "INSERT INTO reconciliation_fence (lease_name, highest_token, updated_at)"
                        + " VALUES (?, ?, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE"
                        + " updated_at = IF(VALUES(highest_token) > highest_token, VALUES(updated_at), updated_at),"
                        + " highest_token = GREATEST(highest_token, VALUES(highest_token))",
                fence.lease(),
                fence.token());
        long highest = jdbc.queryForObject(
                "SELECT highest_token FROM reconciliation_fence WHERE lease_name = ? FOR UPDATE",
                Long.class,
                fence.lease());
        if (highest > fence.token()) {
            throw new StaleFencingTokenException(fence, highest);
        }
    }
}
