package io.fleetsaga.common.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.security.core.Authentication;

/**
 * The outcome of verifying an HTTP Basic credential (user name and password), kept for a short time so the next
 * request with the same credential costs a hash instead of a bcrypt verification.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>Keyed by a salted SHA-256 of user name and password: the plain password is never a key nor kept (the
 *       cached {@link Authentication} has its credentials erased). The salt is random per process, so a key cannot be
 *       precomputed or compared across instances.
 *   <li>A verified credential is answered from the cache for at most {@code verifiedTtl} after its verification, a
 *       refused one for at most {@code refusedTtl}; a TTL of zero keeps no such outcome. A new outcome for the same
 *       credential replaces the old one (a refusal evicts a success).
 *   <li>At most {@code maximumSize} outcomes are kept (Caffeine's size bound: the least useful go first).
 *   <li>Concurrent requests with the same credential that is not cached share one verification: the first one
 *       verifies, the others wait for its outcome.
 * </ul>
 *
 * Thread-safe.
 */
final class CredentialCache {

    /** What verifying a credential gave: the authenticated principal, or a refusal. */
    sealed interface Outcome {}

    record Verified(Authentication authentication) implements Outcome {}

    record Refused() implements Outcome {}

    /** An outcome and whether this thread verified it (false: it waited for another thread's verification). */
    record Verification(Outcome outcome, boolean verifiedHere) {}

    /** SHA-256 of the salted credential, as four longs (cheap equals and hash code). */
    record Key(long a, long b, long c, long d) {}

    private static final Refused REFUSED = new Refused();

    private final byte[] salt = new byte[32];
    private final Duration verifiedTtl;
    private final Duration refusedTtl;
    private final Cache<Key, Outcome> outcomes;
    private final ConcurrentHashMap<Key, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();

    CredentialCache(Duration verifiedTtl, Duration refusedTtl, int maximumSize) {
        this(verifiedTtl, refusedTtl, maximumSize, Ticker.systemTicker());
    }

    CredentialCache(Duration verifiedTtl, Duration refusedTtl, int maximumSize, Ticker ticker) {
        new SecureRandom().nextBytes(salt);
        this.verifiedTtl = verifiedTtl;
        this.refusedTtl = refusedTtl;
        this.outcomes = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(ticker)
                .expireAfter(new Expiry<Key, Outcome>() {
                    @Override
                    public long expireAfterCreate(Key key, Outcome outcome, long currentTime) {
                        return ttl(outcome).toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(Key key, Outcome outcome, long currentTime, long currentDuration) {
                        return ttl(outcome).toNanos();
                    }

                    @Override
                    public long expireAfterRead(Key key, Outcome outcome, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /** False when both TTLs are zero: then nothing is kept nor shared, every request verifies on its own. */
    boolean enabled() {
        return !verifiedTtl.isZero() || !refusedTtl.isZero();
    }

    static Refused refused() {
        return REFUSED;
    }

    /** The cache key of a credential; {@code password} is neither kept nor logged. */
    Key key(String username, String password) {
        MessageDigest sha256 = sha256();
        sha256.update(salt);
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        // the user name's length first: ("a:b", "c") and ("a", "b:c") must not give the same key
        sha256.update(ByteBuffer.allocate(4).putInt(user.length).array());
        sha256.update(user);
        sha256.update(password.getBytes(StandardCharsets.UTF_8));
        ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
        return new Key(digest.getLong(), digest.getLong(), digest.getLong(), digest.getLong());
    }

    /**
     * The outcome already known for {@code key}: cached, or being verified by another thread right now (then this
     * waits for it); {@code null} when the credential needs verifying.
     */
    Outcome known(Key key) {
        Outcome cached = outcomes.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        CompletableFuture<Outcome> running = inFlight.get(key);
        return running == null ? null : await(running);
    }

    /**
     * Verifies the credential of {@code key} with {@code verification} and keeps the outcome — unless another thread
     * is verifying the same credential already: then this waits for its outcome. An exception of the verification
     * (other than a refusal, which {@code verification} returns as {@link Refused}) is thrown to every waiting thread
     * and nothing is kept.
     */
    Verification verify(Key key, Supplier<Outcome> verification) {
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return new Verification(await(running), false);
        }
        try {
            // another thread may have finished verifying it between this thread's look-up and now
            Outcome cached = outcomes.getIfPresent(key);
            if (cached != null) {
                mine.complete(cached);
                return new Verification(cached, false);
            }
            Outcome outcome = verification.get();
            if (!ttl(outcome).isZero()) {
                outcomes.put(key, outcome);
            } else {
                outcomes.invalidate(key);
            }
            mine.complete(outcome);
            return new Verification(outcome, true);
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /** Outcomes kept right now (after pending evictions). */
    long size() {
        outcomes.cleanUp();
        return outcomes.estimatedSize();
    }

    private Duration ttl(Outcome outcome) {
        return outcome instanceof Verified ? verifiedTtl : refusedTtl;
    }

    private static Outcome await(CompletableFuture<Outcome> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
