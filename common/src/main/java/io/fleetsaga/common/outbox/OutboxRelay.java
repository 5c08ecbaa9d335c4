package io.fleetsaga.common.outbox;

import io.fleetsaga.common.retry.BackoffPolicy;
import io.fleetsaga.common.scheduling.PeriodicTasks;
import io.fleetsaga.common.scheduling.TaskStatus;
import io.fleetsaga.common.scheduling.WatchedTask;
import io.fleetsaga.common.scheduling.WatchedTasks;
import io.fleetsaga.common.tracing.EventLogContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Publishes outbox rows to the broker.
 *
 * <p><b>Delivery:</b> at least once. A row is marked sent only after the publisher's future completed,
 * i.e. after the broker acknowledged it. A relay that crashes between the acknowledgement and the
 * update publishes the row again after its claim expires; consumers deduplicate by event id.
 *
 * <p><b>Ordering:</b> per aggregate, in the order the rows were written, across retries and across
 * relay instances (see {@link JdbcOutboxStore}). Different aggregates are published independently.
 *
 * <p><b>Failures:</b> a failed attempt is recorded on the row (error, attempts) and retried after a
 * full-jitter exponential backoff; after {@code maxAttempts} the row is parked — kept, counted, listed
 * and re-queueable — never dropped and never only logged.
 *
 * <p>Several relays may run at once (one per service instance); they claim disjoint rows with
 * {@code FOR UPDATE SKIP LOCKED}.
 */
public final class OutboxRelay implements SmartLifecycle, WatchedTasks {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final JdbcOutboxStore store;
    private final OutboxPublisher publisher;
    private final OutboxSettings settings;
    private final BackoffPolicy backoff;
    private final OutboxListener listener;
    private final String relayId = UUID.randomUUID().toString();
    private final OutboxLane lane;

    private final PeriodicTasks tasks;
    private final WatchedTask polls;
    private volatile boolean running;

    public OutboxRelay(
            JdbcOutboxStore store, OutboxPublisher publisher, OutboxSettings settings, OutboxListener listener) {
        this(store, publisher, settings, listener, OutboxLane.ALL);
    }

    /** A relay for the rows of one {@link OutboxLane} only. */
    public OutboxRelay(
            JdbcOutboxStore store,
            OutboxPublisher publisher,
            OutboxSettings settings,
            OutboxListener listener,
            OutboxLane lane) {
        this.lane = lane;
        this.tasks = new PeriodicTasks("outbox-relay-" + lane.name());
        // a poll: claim (a statement), a batch's publishing (up to the publish timeout), mark sent (a statement)
        this.polls = new WatchedTask(
                "outbox-relay-" + lane.name(),
                settings.pollInterval().plus(settings.publishTimeout()).plusSeconds(30));
        this.store = store;
        this.publisher = publisher;
        this.settings = settings;
        OutboxSettings.Retry retry = settings.retry();
        this.backoff =
                new BackoffPolicy(retry.initialDelay(), retry.multiplier(), retry.maxDelay(), retry.maxAttempts());
        this.listener = listener;
    }

    /**
     * Claims one batch, publishes it and records the outcome of every row.
     *
     * @return the number of rows claimed (published or failed)
     */
    public int pollOnce() {
        String claimToken = UUID.randomUUID().toString();
        List<OutboxRecord> batch = store.claim(claimToken, settings.batchSize(), settings.claimTimeout(), lane);
        if (batch.isEmpty()) {
            polls.completed();
            return 0;
        }
        List<CompletableFuture<?>> futures = new ArrayList<>(batch.size());
        for (OutboxRecord record : batch) {
            futures.add(sendSafely(record));
        }
        long deadline = System.nanoTime() + settings.publishTimeout().toNanos();
        List<Long> sent = new ArrayList<>();
        List<OutboxRecord> sentRecords = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            OutboxRecord record = batch.get(i);
            Throwable failure = awaitOutcome(futures.get(i), deadline);
            if (failure == null) {
                sent.add(record.id());
                sentRecords.add(record);
            } else {
                recordFailure(claimToken, record, failure);
            }
        }
        int marked = store.markSent(claimToken, sent);
        if (marked != sent.size()) {
            log.warn(
                    "relay {}: {} of {} published rows were no longer claimed by it (claim expired); they may be"
                            + " published twice, consumers deduplicate by event id",
                    relayId,
                    sent.size() - marked,
                    sent.size());
        }
        sentRecords.forEach(listener::published);
        polls.completed();
        return batch.size();
    }

    /** Polls until a poll claims less than a full batch; returns the number of rows claimed. */
    public int drain() {
        int total = 0;
        int claimed;
        do {
            claimed = pollOnce();
            total += claimed;
        } while (claimed >= settings.batchSize() && (running || !tasks.isRunning()));
        return total;
    }

    private CompletableFuture<?> sendSafely(OutboxRecord record) {
        try {
            return publisher.publish(record);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable awaitOutcome(CompletableFuture<?> future, long deadlineNanos) {
        try {
            future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (TimeoutException e) {
            future.cancel(false);
            return new TimeoutException("no broker acknowledgement within the publish timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    private void recordFailure(String claimToken, OutboxRecord record, Throwable failure) {
        boolean park = backoff.isExhausted(record.attempt());
        Duration retryIn = park ? Duration.ZERO : backoff.delay(record.attempt());
        String error = failure.getClass().getName() + ": " + failure.getMessage();
        if (!store.markFailed(claimToken, record.id(), error, retryIn, park)) {
            return;
        }
        try (EventLogContext logContext = EventLogContext.of(record.envelope(), true)) {
            logFailure(record, failure, error, retryIn, park);
        }
    }

    private void logFailure(OutboxRecord record, Throwable failure, String error, Duration retryIn, boolean park) {
        if (park) {
            log.error(
                    "outbox event {} ({} {} {}) parked after {} attempts: {}",
                    record.envelope().eventId(),
                    record.envelope().type(),
                    record.envelope().aggregateType(),
                    record.envelope().aggregateId(),
                    record.attempt(),
                    error);
            listener.parked(record, failure);
        } else {
            log.warn(
                    "outbox event {} attempt {} failed, retry in {} ms: {}",
                    record.envelope().eventId(),
                    record.attempt(),
                    retryIn.toMillis(),
                    error);
            listener.failed(record, failure, retryIn);
        }
    }

    private void loop() {
        if (!running) {
            return;
        }
        try {
            drain();
            polls.completed();
        } catch (RuntimeException e) {
            // e.g. the database is unreachable: keep polling, the rows are safe where they are
            log.warn("relay {}: poll failed, retrying in {}: {}", relayId, settings.pollInterval(), e.toString());
        }
    }

    private void cleanup() {
        try {
            int deleted = store.deleteSentBefore(settings.retention(), 1000);
            if (deleted > 0) {
                log.info("relay {}: deleted {} sent outbox rows older than {}", relayId, deleted, settings.retention());
            }
        } catch (RuntimeException e) {
            log.warn("relay {}: outbox cleanup failed: {}", relayId, e.toString());
        }
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        polls.started();
        tasks.every(Duration.ZERO, settings.pollInterval(), this::loop);
        tasks.every(settings.cleanupInterval(), settings.cleanupInterval(), this::cleanup);
        log.info(
                "outbox relay {} for lane {} started (batch {}, poll {})",
                relayId,
                lane.name(),
                settings.batchSize(),
                settings.pollInterval());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        tasks.stop(settings.publishTimeout().plusSeconds(1));
        polls.stopped();
        log.info("outbox relay {} stopped", relayId);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public List<TaskStatus> taskStatuses() {
        return polls.active() ? List.of(polls.status()) : List.of();
    }

    /** Start after the Kafka producer and the data source, stop before them. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }
}
