package io.fleetsaga.common.metrics;

import io.fleetsaga.common.scheduling.BackgroundTaskWatchdog;
import io.fleetsaga.common.scheduling.TaskStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Background-task watchdog metrics, per {@code task} (registered when the watchdog first sees the task, computed
 * when scraped, NaN while the task does not run — e.g. the reconciliation lease renewal between runs):
 *
 * <ul>
 *   <li>{@code fleetsaga_background_task_last_completion_age_seconds{task}} — since the task's last completed
 *       cycle (or since it started)
 *   <li>{@code fleetsaga_background_task_bound_seconds{task}} — how long it may go without completing one
 *   <li>{@code fleetsaga_background_task_stalled{task}} — 1 while the age exceeds the bound, else 0
 * </ul>
 */
public final class BackgroundTaskMetrics implements BackgroundTaskWatchdog.Observer {

    private final MeterRegistry registry;
    private final BackgroundTaskWatchdog watchdog;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    public BackgroundTaskMetrics(MeterRegistry registry, BackgroundTaskWatchdog watchdog) {
        this.registry = registry;
        this.watchdog = watchdog;
    }

    @Override
    public void checked(List<TaskStatus> statuses) {
        for (TaskStatus status : statuses) {
            if (registered.add(status.task())) {
                register(status.task());
            }
        }
    }

    private void register(String task) {
        gauge(
                "fleetsaga.background.task.last.completion.age",
                "Time since the background task last completed a cycle",
                "seconds",
                task,
                s -> s.age().toNanos() / 1e9);
        gauge(
                "fleetsaga.background.task.bound",
                "How long the background task may go without completing a cycle",
                "seconds",
                task,
                s -> s.bound().toNanos() / 1e9);
        gauge(
                "fleetsaga.background.task.stalled",
                "1 while the background task has not completed a cycle within its bound",
                null,
                task,
                s -> s.stalled() ? 1 : 0);
    }

    private void gauge(String name, String description, String unit, String task, ToDoubleFunction<TaskStatus> value) {
        Gauge.builder(
                        name,
                        watchdog,
                        w -> w.status(task).map(value::applyAsDouble).orElse(Double.NaN))
                .description(description)
                .baseUnit(unit)
                .tag("task", task)
                .register(registry);
    }
}
