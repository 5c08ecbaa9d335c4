package io.fleetsaga.common.outbox;

import io.fleetsaga.common.retry.BackoffPolicy;
import java.time.Clock;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * The backoff of a whole lane after transport failures: while backing off, the relay claims nothing until the
 * next probe is due, then one probe; the first probe that gets through brings the lane up again. The delay before
 * probe {@code n} is the {@link BackoffPolicy}'s full jitter over {@code min(max-delay, initial × multiplier^(n-1))}
 * — one probe per step, however many rows wait. Thread-safe.
 */
final class LaneBackoff {

    private final BackoffPolicy policy;
    private final Clock clock;
    private final RandomGenerator random;
    private volatile OutboxLaneState state;

    LaneBackoff(String lane, BackoffPolicy policy, Clock clock, RandomGenerator random) {
        this.policy = policy;
        this.clock = clock;
        this.random = random;
        this.state = OutboxLaneState.up(lane, clock.instant(), null);
    }

    OutboxLaneState state() {
        return state;
    }

    /** Whether the relay may claim now: the lane is up, or its next probe is due. */
    boolean mayClaim() {
        OutboxLaneState current = state;
        return !current.backingOff() || !clock.instant().isBefore(current.nextProbeAt());
    }

    /** Whether the next claim is a probe. */
    boolean probing() {
        return state.backingOff();
    }

    /** A transport failure: starts or continues backing off; returns the new state. */
    synchronized OutboxLaneState failed(String error) {
        OutboxLaneState current = state;
        Instant now = clock.instant();
        int failures = current.consecutiveFailures() + 1;
        Instant since = current.backingOff() ? current.since() : now;
        state = new OutboxLaneState(
                current.lane(),
                OutboxLaneState.Status.BACKING_OFF,
                since,
                failures,
                error,
                now.plus(policy.delay(failures, random)));
        return state;
    }

    /** An attempt got through (or there was nothing to probe with): the lane is up; true when that is news. */
    synchronized boolean succeeded() {
        OutboxLaneState current = state;
        if (!current.backingOff()) {
            return false;
        }
        state = OutboxLaneState.up(current.lane(), clock.instant(), current.lastError());
        return true;
    }
}
