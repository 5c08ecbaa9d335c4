package io.fleetsaga.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-client bound on failed verifications. */
class FailedLoginLimiterTests {

    private final AtomicLong nanos = new AtomicLong();
    private final FailedLoginLimiter limiter = new FailedLoginLimiter(3, Duration.ofSeconds(60), 100, nanos::get);

    @Test
    void refusesAClientAfterItsFailuresUntilTheWindowEnds() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("10.0.0.1")).isZero();
        }
        nanos.addAndGet(Duration.ofSeconds(20).toNanos());

        assertThat(limiter.tryAcquire("10.0.0.1")).isEqualTo(Duration.ofSeconds(40));
        assertThat(limiter.tryAcquire("10.0.0.2")).as("another client").isZero();

        nanos.addAndGet(Duration.ofSeconds(40).toNanos());
        assertThat(limiter.tryAcquire("10.0.0.1")).as("a new window").isZero();
    }

    @Test
    void aReleasedAttemptDoesNotCount() {
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire("10.0.0.1")).isZero();
            limiter.release("10.0.0.1");
        }
        assertThat(limiter.tryAcquire("10.0.0.1")).isZero();
    }

    @Test
    void aLimitOfZeroNeverRefuses() {
        FailedLoginLimiter off = new FailedLoginLimiter(0, Duration.ofSeconds(60), 1, nanos::get);
        for (int i = 0; i < 1_000; i++) {
            assertThat(off.tryAcquire(off.client("10.0.0." + (i % 7)))).isZero();
        }
        assertThat(off.trackedClients()).isZero();
    }

    @Test
    void beyondItsTrackedClientsNewClientsShareOneWindow() {
        FailedLoginLimiter small = new FailedLoginLimiter(3, Duration.ofSeconds(60), 2, nanos::get);
        small.tryAcquire(small.client("10.0.0.1"));
        small.tryAcquire(small.client("10.0.0.2"));

        assertThat(small.client("10.0.0.1")).isEqualTo("10.0.0.1");
        assertThat(small.client("10.0.0.3")).isEqualTo(FailedLoginLimiter.OVERFLOW);
        for (int i = 3; i < 6; i++) {
            assertThat(small.tryAcquire(small.client("10.0.0." + i))).isZero();
        }
        assertThat(small.tryAcquire(small.client("10.0.0.9"))).isPositive();

        nanos.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(small.client("10.0.0.3")).as("ended windows are purged").isEqualTo("10.0.0.3");
    }

    @Test
    void concurrentAttemptsOfOneClientNeverExceedTheLimit() throws Exception {
        FailedLoginLimiter real = new FailedLoginLimiter(10, Duration.ofMinutes(1), 100);
        int threads = 16;
        AtomicInteger allowed = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 1_000; i++) {
                        if (real.tryAcquire("10.0.0.1").isZero()) {
                            allowed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(allowed).hasValue(10);
    }
}
