package io.fleetsaga.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetsaga.common.security.CredentialCache.Key;
import io.fleetsaga.common.security.CredentialCache.Outcome;
import io.fleetsaga.common.security.CredentialCache.Verified;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;

/** The cache of verification outcomes: keys, TTLs, size bound, one verification for concurrent requests. */
class CredentialCacheTests {

    private final AtomicLong nanos = new AtomicLong();
    private final CredentialCache cache =
            new CredentialCache(Duration.ofSeconds(60), Duration.ofSeconds(30), 100, nanos::get);

    @Test
    void keysDifferForEveryUserAndPasswordAndNeverContainThePassword() {
        Key key = cache.key("dispatcher", "secret");

        assertThat(cache.key("dispatcher", "secret")).isEqualTo(key);
        assertThat(cache.key("dispatcher", "Secret")).isNotEqualTo(key);
        assertThat(cache.key("ops", "secret")).isNotEqualTo(key);
        // the user name's end is unambiguous: "a:" + "b" is not "a" + ":b"
        assertThat(cache.key("a:", "b")).isNotEqualTo(cache.key("a", ":b"));
        assertThat(key.toString()).doesNotContain("secret");
        // salted per process: another instance gives other keys for the same credential
        assertThat(new CredentialCache(Duration.ofSeconds(1), Duration.ZERO, 1).key("dispatcher", "secret"))
                .isNotEqualTo(key);
    }

    @Test
    void aVerifiedCredentialIsKnownUntilItsTtlPasses() {
        Key key = cache.key("dispatcher", "secret");
        assertThat(cache.known(key)).isNull();

        cache.verify(key, () -> verified("dispatcher"));
        nanos.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(cache.known(key)).isInstanceOf(Verified.class);

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(cache.known(key)).isNull();
    }

    @Test
    void aRefusedCredentialIsKnownForTheFailureTtl() {
        Key key = cache.key("dispatcher", "wrong");

        cache.verify(key, CredentialCache::refused);
        nanos.addAndGet(Duration.ofSeconds(29).toNanos());
        assertThat(cache.known(key)).isInstanceOf(CredentialCache.Refused.class);

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(cache.known(key)).isNull();
    }

    @Test
    void aCredentialRefusedWhenVerifiedAgainAfterItsTtlIsRefusedFromThenOn() {
        // e.g. the user's password was changed: the old one works until its entry expires, then no more
        Key key = cache.key("dispatcher", "old-secret");
        cache.verify(key, () -> verified("dispatcher"));
        nanos.addAndGet(Duration.ofSeconds(60).toNanos());

        assertThat(cache.known(key)).isNull();
        cache.verify(key, CredentialCache::refused);

        assertThat(cache.known(key)).isInstanceOf(CredentialCache.Refused.class);
    }

    @Test
    void whileAnOutcomeIsKeptAVerificationReturnsItInsteadOfVerifyingAgain() {
        Key key = cache.key("dispatcher", "secret");
        cache.verify(key, () -> verified("dispatcher"));

        CredentialCache.Verification again = cache.verify(key, CredentialCache::refused);

        assertThat(again.verifiedHere()).isFalse();
        assertThat(again.outcome()).isInstanceOf(Verified.class);
    }

    @Test
    void aZeroTtlKeepsNothing() {
        CredentialCache off = new CredentialCache(Duration.ZERO, Duration.ZERO, 100, nanos::get);
        Key right = off.key("dispatcher", "secret");
        Key wrong = off.key("dispatcher", "wrong");

        off.verify(right, () -> verified("dispatcher"));
        off.verify(wrong, CredentialCache::refused);

        assertThat(off.known(right)).isNull();
        assertThat(off.known(wrong)).isNull();
        assertThat(off.size()).isZero();
    }

    @Test
    void keepsAtMostItsMaximumSize() {
        CredentialCache small = new CredentialCache(Duration.ofMinutes(1), Duration.ofMinutes(1), 10, nanos::get);
        for (int i = 0; i < 1_000; i++) {
            small.verify(small.key("user-" + i, "wrong"), CredentialCache::refused);
        }

        assertThat(small.size()).isLessThanOrEqualTo(10);
    }

    @Test
    void aFailingVerificationIsThrownAndNotKept() {
        Key key = cache.key("dispatcher", "secret");

        assertThatThrownBy(() -> cache.verify(key, () -> {
                    throw new IllegalStateException("user store down");
                }))
                .hasMessage("user store down");
        assertThat(cache.known(key)).isNull();
    }

    @Test
    void concurrentRequestsWithTheSameCredentialShareOneVerification() throws Exception {
        CredentialCache real = new CredentialCache(Duration.ofMinutes(1), Duration.ofMinutes(1), 1_000);
        int threads = 16;
        AtomicInteger verifications = new AtomicInteger();
        CountDownLatch asked = new CountDownLatch(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                outcomes.add(pool.submit(() -> {
                    start.await();
                    Key key = real.key("dispatcher", "secret");
                    asked.countDown();
                    Outcome known = real.known(key);
                    if (known != null) {
                        return known;
                    }
                    return real.verify(key, () -> {
                                verifications.incrementAndGet();
                                // the verification lasts until every thread has asked (like a slow bcrypt check)
                                awaitQuietly(asked);
                                return verified("dispatcher");
                            })
                            .outcome();
                }));
            }
            for (Future<Outcome> outcome : outcomes) {
                assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(Verified.class);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(verifications).hasValue(1);
    }

    @Test
    void manyThreadsWithManyCredentialsEachGetTheirOwnOutcome() throws Exception {
        CredentialCache real = new CredentialCache(Duration.ofMinutes(1), Duration.ofMinutes(1), 50);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger mismatches = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        String user = "user-" + (i % 200);
                        boolean right = i % 3 != 0;
                        Key key = real.key(user, right ? "right" : "wrong");
                        Outcome outcome = real.known(key);
                        if (outcome == null) {
                            outcome = real.verify(key, () -> right ? verified(user) : CredentialCache.refused())
                                    .outcome();
                        }
                        boolean ok = right
                                ? outcome instanceof Verified v
                                        && v.authentication().getName().equals(user)
                                : outcome instanceof CredentialCache.Refused;
                        if (!ok) {
                            mismatches.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(mismatches).hasValue(0);
        assertThat(real.size()).isLessThanOrEqualTo(50);
    }

    private static Verified verified(String user) {
        return new Verified(UsernamePasswordAuthenticationToken.authenticated(
                user, null, AuthorityUtils.createAuthorityList("ROLE_DISPATCHER")));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
