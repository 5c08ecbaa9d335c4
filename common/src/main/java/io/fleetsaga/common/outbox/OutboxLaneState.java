package io.fleetsaga.common.outbox;

import java.time.Duration;
import java.time.Instant;

/**
 * The state of one relay's lane, as metrics, health and the ops API show it.
 *
 * @param lane the lane's name ({@link OutboxLane#name()})
 * @param status up, or backing off after a transport failure
 * @param since when the lane entered this status
 * @param consecutiveFailures transport failures since the lane was last up (the first failed batch and each failed
 *     probe); 0 when up
 * @param lastError the last transport failure, also kept once the lane is up again; {@code null} when none yet
 * @param nextProbeAt when the backing-off lane tries again; {@code null} when up
 */
public record OutboxLaneState(
        String lane, Status status, Instant since, int consecutiveFailures, String lastError, Instant nextProbeAt) {

    /** Whether the lane claims batches or only probes. */
    public enum Status {
        /** Claims full batches. */
        UP,
        /** The transport failed: claims one row per backoff step (a probe) until one attempt gets through. */
        BACKING_OFF
    }

    static OutboxLaneState up(String lane, Instant since, String lastError) {
        return new OutboxLaneState(lane, Status.UP, since, 0, lastError, null);
    }

    public boolean backingOff() {
        return status == Status.BACKING_OFF;
    }

    /** How long the lane has been backing off at {@code now}; zero when up. */
    public Duration backingOffFor(Instant now) {
        if (!backingOff() || since == null || now.isBefore(since)) {
            return Duration.ZERO;
        }
        return Duration.between(since, now);
    }
}
