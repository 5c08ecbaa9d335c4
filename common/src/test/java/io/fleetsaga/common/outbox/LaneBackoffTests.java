package io.fleetsaga.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.outbox.OutboxLaneState.Status;
import io.fleetsaga.common.retry.BackoffPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** A lane's backoff: stop claiming, one probe per step (full jitter, capped), up again on the first success. */
class LaneBackoffTests {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    final MutableClock clock = new MutableClock(T0);
    /** Always draws the top of the jitter window, so the delays are the policy's ceilings. */
    final RandomGenerator top = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    final LaneBackoff lane = new LaneBackoff(
            "kafka",
            new BackoffPolicy(Duration.ofMillis(500), 2.0, Duration.ofSeconds(30), Integer.MAX_VALUE),
            clock,
            top);

    @Test
    void anUpLaneClaimsFullBatches() {
        assertThat(lane.state().status()).isEqualTo(Status.UP);
        assertThat(lane.mayClaim()).isTrue();
        assertThat(lane.probing()).isFalse();
        assertThat(lane.state().backingOffFor(T0.plusSeconds(60))).isZero();
    }

    @Test
    void aTransportFailureStopsClaimingUntilTheProbeIsDueThenProbesOnce() {
        OutboxLaneState state = lane.failed("TimeoutException: broker away");

        assertThat(state.status()).isEqualTo(Status.BACKING_OFF);
        assertThat(state.since()).isEqualTo(T0);
        assertThat(state.consecutiveFailures()).isEqualTo(1);
        assertThat(state.lastError()).isEqualTo("TimeoutException: broker away");
        assertThat(state.nextProbeAt()).isBetween(T0, T0.plusMillis(500));
        assertThat(lane.mayClaim()).isFalse();

        clock.set(state.nextProbeAt());
        assertThat(lane.mayClaim()).isTrue();
        assertThat(lane.probing()).as("the next claim is a probe").isTrue();
    }

    @Test
    void theDelayBeforeEachProbeGrowsExponentiallyUpToTheCapAndTheLaneKeepsItsStart() {
        Duration previous = Duration.ZERO;
        OutboxLaneState state = null;
        for (int failure = 1; failure <= 12; failure++) {
            clock.advance(Duration.ofSeconds(1));
            state = lane.failed("still away");
            Duration delay = Duration.between(clock.instant(), state.nextProbeAt());
            assertThat(delay).isLessThanOrEqualTo(Duration.ofSeconds(30)).isGreaterThanOrEqualTo(previous);
            previous = delay;
        }
        assertThat(previous).isGreaterThan(Duration.ofSeconds(29));
        assertThat(state.since()).isEqualTo(T0.plusSeconds(1));
        assertThat(state.consecutiveFailures()).isEqualTo(12);
        assertThat(state.backingOffFor(clock.instant())).isEqualTo(Duration.ofSeconds(11));
    }

    @Test
    void theFirstSuccessBringsTheLaneUpAndKeepsTheLastErrorForOps() {
        lane.failed("TimeoutException: broker away");
        clock.advance(Duration.ofSeconds(5));

        assertThat(lane.succeeded()).isTrue();
        assertThat(lane.succeeded()).as("no news the second time").isFalse();

        OutboxLaneState state = lane.state();
        assertThat(state.status()).isEqualTo(Status.UP);
        assertThat(state.since()).isEqualTo(T0.plusSeconds(5));
        assertThat(state.consecutiveFailures()).isZero();
        assertThat(state.nextProbeAt()).isNull();
        assertThat(state.lastError()).isEqualTo("TimeoutException: broker away");
        assertThat(lane.mayClaim()).isTrue();
        assertThat(lane.probing()).isFalse();
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
