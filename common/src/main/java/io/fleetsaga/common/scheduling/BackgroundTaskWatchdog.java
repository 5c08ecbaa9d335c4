package io.fleetsaga.common.scheduling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Watches every background loop of the kit and the services (relay lanes, Kafka listeners, outbox statistics,
 * inbox cleanup, the reconciliation lease renewal — every {@link WatchedTasks}) for the failure a timeout alone
 * does not show: a loop that no longer completes cycles, e.g. blocked on a half-open database connection or
 * failing every cycle while the database does not answer.
 *
 * <p>A loop is <em>stalled</em> while it has not completed a cycle within its bound ({@link TaskStatus#stalled()});
 * the bound is the loop's own unless {@code fleetsaga.watchdog.bounds.<task>} replaces it. The state is exported
 * as metrics and health details when read; every {@code check-interval} a stall and the recovery are logged once
 * and new loops are announced to the {@link Observer}s (e.g. to register their gauges).
 */
public final class BackgroundTaskWatchdog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BackgroundTaskWatchdog.class);

    /** Told about every check's statuses. */
    @FunctionalInterface
    public interface Observer {
        void checked(List<TaskStatus> statuses);
    }

    private final Supplier<List<WatchedTasks>> sources;
    private final WatchdogSettings settings;
    private final Supplier<? extends List<? extends Observer>> observers;
    private final Set<String> stalled = new HashSet<>();
    private final PeriodicTasks tasks = new PeriodicTasks("background-task-watchdog");

    public BackgroundTaskWatchdog(
            Supplier<List<WatchedTasks>> sources,
            WatchdogSettings settings,
            Supplier<? extends List<? extends Observer>> observers) {
        this.sources = sources;
        this.settings = settings;
        // resolved on each check: an observer (the metrics) may itself depend on the watchdog
        this.observers = observers;
    }

    /** Every loop running now, by task name. */
    public List<TaskStatus> statuses() {
        List<TaskStatus> all = new ArrayList<>();
        for (WatchedTasks source : sources.get()) {
            List<TaskStatus> reported;
            try {
                reported = source.taskStatuses();
            } catch (RuntimeException e) {
                log.warn("cannot read the background tasks of {}: {}", source, e.toString());
                continue;
            }
            for (TaskStatus status : reported) {
                Duration bound = settings.bounds().get(status.task());
                all.add(bound == null ? status : status.withBound(bound));
            }
        }
        all.sort(Comparator.comparing(TaskStatus::task));
        return all;
    }

    /** One loop's status now; empty when it does not run. */
    public Optional<TaskStatus> status(String task) {
        return statuses().stream().filter(s -> s.task().equals(task)).findFirst();
    }

    synchronized void check() {
        List<TaskStatus> statuses = statuses();
        for (TaskStatus status : statuses) {
            if (status.stalled() && stalled.add(status.task())) {
                log.warn(
                        "background task '{}' has not completed a cycle for {} s (bound {} s)",
                        status.task(),
                        status.age().toSeconds(),
                        status.bound().toSeconds());
            } else if (!status.stalled() && stalled.remove(status.task())) {
                log.info("background task '{}' completes cycles again", status.task());
            }
        }
        stalled.removeIf(task -> statuses.stream().noneMatch(s -> s.task().equals(task)));
        for (Observer observer : observers.get()) {
            try {
                observer.checked(statuses);
            } catch (RuntimeException e) {
                log.warn("background task observer {} failed: {}", observer, e.toString());
            }
        }
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            log.warn("cannot check the background tasks: {}", e.toString());
        }
    }

    /** Starts after the loops it watches. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    @Override
    public void start() {
        if (!tasks.isRunning()) {
            tasks.every(Duration.ZERO, settings.checkInterval(), this::checkQuietly);
        }
    }

    @Override
    public void stop() {
        tasks.stop(Duration.ZERO);
    }

    @Override
    public boolean isRunning() {
        return tasks.isRunning();
    }
}
