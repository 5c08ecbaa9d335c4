package io.fleetsaga.common.scheduling;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread running fixed-delay tasks, for the kit's background work (relay polls, cleanups, gauge
 * refreshes, listener sampling). Each component owns one, starts it from its lifecycle and stops it there.
 * A task must handle its own failures: one that throws is not run again.
 */
public final class PeriodicTasks {

    private final String threadName;
    private ScheduledExecutorService executor;

    public PeriodicTasks(String threadName) {
        this.threadName = threadName;
    }

    /** Runs {@code task} after {@code initialDelay}, then again {@code delay} after each run ends; starts the thread. */
    public synchronized void every(Duration initialDelay, Duration delay, Runnable task) {
        if (executor == null) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, threadName);
                thread.setDaemon(true);
                return thread;
            });
        }
        executor.scheduleWithFixedDelay(
                task, initialDelay.toMillis(), Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    public synchronized boolean isRunning() {
        return executor != null;
    }

    /**
     * Stops the thread: a task that is running may finish within {@code grace}, then it is interrupted.
     * Does nothing when not running.
     */
    public void stop(Duration grace) {
        ScheduledExecutorService running;
        synchronized (this) {
            running = executor;
            executor = null;
        }
        if (running == null) {
            return;
        }
        running.shutdown();
        try {
            if (grace.isZero() || !running.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                running.shutdownNow();
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
