package io.fleetsaga.common.lease;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Named leases with an owner token, an expiry and a fencing counter (incident I-5).
 *
 * <p><b>Guarantees.</b> Acquisition is one atomic conditional {@code UPDATE … WHERE owner IS NULL OR
 * expires_at <= now} whose affected-row count decides: of any number of racing callers exactly one wins.
 * Every acquisition increments the fencing token. Renewal and release are conditional on the caller's
 * owner token <em>and</em> fencing token, so a holder whose lease expired and was taken over can neither
 * renew nor release it. {@link #fenced} lets such a holder's writes fail too: it re-checks the lease
 * inside the caller's transaction under a shared row lock, which a take-over has to wait for.
 *
 * <p><b>Fencing.</b> Every write a holder makes under its lease goes through {@link #fenced} in the write's own
 * transaction. The check reads the lease row with a <em>shared</em> lock ({@code LOCK IN SHARE MODE}) that is held
 * until that transaction ends. A take-over is an {@code UPDATE} of the same row and needs an exclusive lock, so it
 * waits until every fenced transaction in flight has committed or rolled back; a fenced transaction that starts
 * after the take-over finds another owner or token and fails. Hence no fenced write of a holder commits after its
 * successor acquired the lease — whatever the holder's threads, clocks or pauses did — and a write that passed the
 * check commits even if the lease expires meanwhile, because nobody can take it over until it did. Shared, not
 * exclusive: a holder's fenced transactions do not serialise each other; they only hold off the exclusive writers
 * of the row — a take-over, and the holder's own renewal and release — so fenced transactions must be short (one
 * repair, one batch), never spanning a network call. A write to <em>another</em> database cannot join the
 * transaction: it carries the {@link Lease#fencingToken()} instead, and the receiver refuses a token lower than
 * one it has seen.
 *
 * <p><b>Renewal.</b> A renewal that returns false or throws (database unreachable, a timeout) means the holder
 * can no longer know that it holds the lease: it must stop its work as if the lease were lost. The fence makes
 * that safe even for a write already under way.
 *
 * <p>Expiry is measured on the database clock, so holders on different machines agree on it.
 */
public final class LeaseManager {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final List<LeaseListener> listeners;

    public LeaseManager(
            DataSource dataSource, PlatformTransactionManager transactionManager, List<LeaseListener> listeners) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(transactionManager);
        this.transaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.listeners = List.copyOf(listeners);
    }

    /** Acquires {@code name} for {@code owner} if it is free or expired. */
    public Optional<Lease> tryAcquire(String name, String owner, Duration ttl) {
        requireText(name, "name");
        requireText(owner, "owner");
        // Create the row on its own, outside the acquiring transaction: racing INSERTs of one key inside
        // longer transactions would hold shared locks and deadlock on the UPDATE that follows.
        jdbc.update(
                "INSERT IGNORE INTO lease (name, owner, fencing_token, expires_at)"
                        + " VALUES (?, NULL, 0, '1970-01-01 00:00:00')",
                name);
        Optional<Lease> acquired = transaction.execute(status -> {
            int updated = jdbc.update(
                    "UPDATE lease SET owner = ?, fencing_token = fencing_token + 1, acquired_at = UTC_TIMESTAMP(6),"
                            + " expires_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND"
                            + " WHERE name = ? AND (owner IS NULL OR expires_at <= UTC_TIMESTAMP(6))",
                    owner,
                    micros(ttl),
                    name);
            if (updated != 1) {
                return Optional.<Lease>empty();
            }
            Long token = jdbc.queryForObject("SELECT fencing_token FROM lease WHERE name = ?", Long.class, name);
            return Optional.of(new Lease(name, owner, token));
        });
        acquired.ifPresent(lease -> listeners.forEach(l -> l.acquired(lease)));
        return acquired;
    }

    /**
     * Extends the lease by {@code ttl} from now; false when it was taken over (then it is lost).
     *
     * @throws org.springframework.dao.DataAccessException when the renewal could not be made; the caller cannot know
     *     whether it still holds the lease and must treat it as lost
     */
    public boolean renew(Lease lease, Duration ttl) {
        int updated = jdbc.update(
                "UPDATE lease SET expires_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND"
                        + " WHERE name = ? AND owner = ? AND fencing_token = ?",
                micros(ttl),
                lease.name(),
                lease.owner(),
                lease.fencingToken());
        if (updated != 1) {
            listeners.forEach(l -> l.lost(lease));
            return false;
        }
        return true;
    }

    /** Releases the lease; false (and nothing changes) when the caller no longer holds it. */
    public boolean release(Lease lease) {
        int updated = jdbc.update(
                "UPDATE lease SET owner = NULL, expires_at = UTC_TIMESTAMP(6)"
                        + " WHERE name = ? AND owner = ? AND fencing_token = ?",
                lease.name(),
                lease.owner(),
                lease.fencingToken());
        if (updated == 1) {
            listeners.forEach(l -> l.released(lease));
            return true;
        }
        return false;
    }

    /** Whether {@code lease} is still held and unexpired, by the database clock. */
    public boolean isHeld(Lease lease) {
        Integer count = jdbc.queryForObject(
                "SELECT COUNT(*) FROM lease WHERE name = ? AND owner = ? AND fencing_token = ?"
                        + " AND expires_at > UTC_TIMESTAMP(6)",
                Integer.class,
                lease.name(),
                lease.owner(),
                lease.fencingToken());
        return count != null && count == 1;
    }

    /**
     * Runs {@code work} in the caller's transaction only if {@code lease} is still held and unexpired. The
     * lease row is read with a shared lock that is kept until the caller's transaction ends, so nobody can
     * take the lease over between this check and the commit of {@code work}'s writes (see "Fencing" above).
     *
     * @throws LeaseLostException when the lease is no longer held; the caller's transaction should roll back
     * @throws IllegalStateException when called without an active transaction
     */
    public <T> T fenced(Lease lease, Supplier<T> work) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("fenced work needs an active transaction to hold the lease check");
        }
        Integer count = jdbc.queryForObject(
                "SELECT COUNT(*) FROM lease WHERE name = ? AND owner = ? AND fencing_token = ?"
                        + " AND expires_at > UTC_TIMESTAMP(6) LOCK IN SHARE MODE",
                Integer.class,
                lease.name(),
                lease.owner(),
                lease.fencingToken());
        if (count == null || count != 1) {
            listeners.forEach(l -> l.lost(lease));
            throw new LeaseLostException(lease, "the fence found it expired or taken over");
        }
        return work.get();
    }

    private static long micros(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        return ttl.toNanos() / 1000;
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
