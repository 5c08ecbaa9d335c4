package io.fleetsaga.common.inbox;

import io.fleetsaga.common.scheduling.PeriodicTasks;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/** Deletes inbox records older than the retention, periodically. */
public final class InboxCleanup implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InboxCleanup.class);

    private final Inbox inbox;
    private final InboxSettings settings;
    private final PeriodicTasks tasks = new PeriodicTasks("inbox-cleanup");

    public InboxCleanup(Inbox inbox, InboxSettings settings) {
        this.inbox = inbox;
        this.settings = settings;
    }

    void cleanup() {
        try {
            int deleted = inbox.deleteOlderThan(settings.retention(), 1000);
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
            Duration interval = settings.cleanupInterval().compareTo(Duration.ofSeconds(1)) < 0
                    ? Duration.ofSeconds(1)
                    : settings.cleanupInterval();
            tasks.every(interval, interval, this::cleanup);
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
