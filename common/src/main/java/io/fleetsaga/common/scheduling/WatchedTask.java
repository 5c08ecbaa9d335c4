package io.fleetsaga.common.scheduling;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The cycles of one background loop, as the {@link BackgroundTaskWatchdog} sees them: the loop calls {@link
 * #completed()} at the end of every cycle that did its work (a cycle that threw, or is still blocked in a call to
 * the database or the broker, has not completed). The age since the last completion — or since {@link #started()}
 * when none has completed yet — tells whether the loop still makes progress.
 *
 * <p>Thread-safe: the loop's thread writes, the watchdog's and the scrape's threads read.
 */
public final class WatchedTask {

    private final String name;
    private final Duration bound;
    private volatile long lastCompletionNanos;
    private volatile Instant lastCompletedAt;
    private volatile boolean active;

    /**
     * @param name the {@code task} tag of the metrics, e.g. {@code outbox-relay-kafka}
     * @param bound how long a healthy loop may go without completing a cycle: its interval plus the longest
     *     legitimate cycle
     */
    public WatchedTask(String name, Duration bound) {
        this.name = Objects.requireNonNull(name);
        this.bound = Objects.requireNonNull(bound);
        this.lastCompletionNanos = System.nanoTime();
    }

    /** The loop (re)starts: the age counts from now until its first completed cycle. */
    public void started() {
        lastCompletionNanos = System.nanoTime();
        lastCompletedAt = null;
        active = true;
    }

    /** The loop ended on purpose (stopped, or a lease given back): it is no longer reported. */
    public void stopped() {
        active = false;
    }

    /** One cycle did its work. */
    public void completed() {
        lastCompletionNanos = System.nanoTime();
        lastCompletedAt = Instant.now();
    }

    public boolean active() {
        return active;
    }

    /** The status now; meaningful while {@link #active()}. */
    public TaskStatus status() {
        return new TaskStatus(name, Duration.ofNanos(System.nanoTime() - lastCompletionNanos), bound, lastCompletedAt);
    }
}
