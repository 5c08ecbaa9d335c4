package io.fleetsaga.common.scheduling;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the background loops ({@code backgroundTasks}): DOWN while one of them is stalled (see {@link
 * BackgroundTaskWatchdog}). Details per task: status, seconds since its last completed cycle, its bound and when
 * that cycle completed. Not part of the readiness group: a stalled loop must alert, not take the HTTP API out of
 * the load balancer.
 */
public final class BackgroundTasksHealthIndicator implements HealthIndicator {

    private final BackgroundTaskWatchdog watchdog;

    public BackgroundTasksHealthIndicator(BackgroundTaskWatchdog watchdog) {
        this.watchdog = watchdog;
    }

    @Override
    public Health health() {
        boolean healthy = true;
        Map<String, Object> tasks = new LinkedHashMap<>();
        for (TaskStatus status : watchdog.statuses()) {
            healthy &= !status.stalled();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("status", status.stalled() ? "STALLED" : "UP");
            details.put("lastCompletionAgeSeconds", status.age().toMillis() / 1000.0);
            details.put("boundSeconds", status.bound().toMillis() / 1000.0);
            details.put(
                    "lastCompletedAt",
                    status.lastCompletedAt() == null
                            ? "none since start"
                            : status.lastCompletedAt().toString());
            tasks.put(status.task(), details);
        }
        return (healthy ? Health.up() : Health.down()).withDetails(tasks).build();
    }
}
