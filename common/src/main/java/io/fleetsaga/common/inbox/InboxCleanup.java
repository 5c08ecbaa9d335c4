package io.fleetsaga.common.inbox;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/** Deletes inbox records older than the retention, periodically. */
public final class InboxCleanup implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InboxCleanup.class);

    private final Inbox inbox;
    private final InboxSettings settings;
    private volatile ScheduledExecutorService executor;

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
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "inbox-cleanup");
            thread.setDaemon(true);
            return thread;
        });
        long millis = Math.max(1000, settings.cleanupInterval().toMillis());
        executor.scheduleWithFixedDelay(this::cleanup, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
