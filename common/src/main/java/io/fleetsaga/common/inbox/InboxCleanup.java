package io.fleetsaga.common.inbox;

import io.fleetsaga.common.scheduling.PeriodicTasks;
import io.fleetsaga.common.scheduling.TaskStatus;
import io.fleetsaga.common.scheduling.WatchedTask;
import io.fleetsaga.common.scheduling.WatchedTasks;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/** Deletes inbox records older than the retention, periodically. */
public final class InboxCleanup implements SmartLifecycle, WatchedTasks {

    private static final Logger log = LoggerFactory.getLogger(InboxCleanup.class);

    private final Inbox inbox;
    private final InboxSettings settings;
    private final PeriodicTasks tasks = new PeriodicTasks("inbox-cleanup");
    private final WatchedTask cleanups;

    public InboxCleanup(Inbox inbox, InboxSettings settings) {
        this.inbox = inbox;
        this.settings = settings;
        // the first cycle runs one interval after the start; a delete of 1000 rows may run up to the socket timeout
        this.cleanups = new WatchedTask("inbox-cleanup", interval(settings).plusSeconds(90));
    }

    void cleanup() {
        try {
            int deleted = inbox.deleteOlderThan(settings.retention(), 1000);
            cleanups.completed();
            if (deleted > 0) {
                log.info("deleted {} inbox records older than {}", deleted, settings.retention());
            }
        } catch (RuntimeException e) {
            log.warn("inbox cleanup failed, will retry: {}", e.toString());
        }
    }

    @Override
    public void start() {
        if (!tasks.isRunning()) {
            Duration interval = interval(settings);
            cleanups.started();
            tasks.every(interval, interval, this::cleanup);
        }
    }

    private static Duration interval(InboxSettings settings) {
        return settings.cleanupInterval().compareTo(Duration.ofSeconds(1)) < 0
                ? Duration.ofSeconds(1)
                : settings.cleanupInterval();
    }

    @Override
    public void stop() {
        tasks.stop(Duration.ZERO);
        cleanups.stopped();
    }

    @Override
    public List<TaskStatus> taskStatuses() {
        return cleanups.active() ? List.of(cleanups.status()) : List.of();
    }

    @Override
    public boolean isRunning() {
        return tasks.isRunning();
    }
}
