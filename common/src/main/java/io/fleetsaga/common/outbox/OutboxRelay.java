package io.fleetsaga.common.outbox;

import io.fleetsaga.common.chaos.CrashPoints;
import io.fleetsaga.common.retry.BackoffPolicy;
import io.fleetsaga.common.scheduling.PeriodicTasks;
import io.fleetsaga.common.scheduling.TaskStatus;
import io.fleetsaga.common.scheduling.WatchedTask;
import io.fleetsaga.common.scheduling.WatchedTasks;
import io.fleetsaga.common.tracing.EventLogContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
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
 * <p><b>Failures</b> are classified at the source ({@link PublishFailure}, by the publisher):
 *
 * <ul>
 *   <li><i>Transport</i> (broker or receiver away): the row goes back in line, due at once, with its attempts
 *       unchanged and the error recorded, and the whole <em>lane</em> backs off: it claims nothing until its next
 *       probe, then one row; the first probe that gets through brings the lane up again, and it drains. So a
 *       batch of a hundred rows during an outage costs one probe per backoff step, not a hundred failures, and
 *       however long the outage lasts nothing is parked ({@link #laneState()}, {@link
 *       OutboxListener#laneChanged}).
 *   <li><i>Record</i> (too large, not serialisable, refused): the row is parked at its first attempt, with its
 *       reason.
 *   <li><i>Unknown</i>: the attempt counts; the row is retried after a full-jitter exponential backoff and
 *       parked after {@code maxAttempts}.
 * </ul>
 *
 * A parked row is kept, counted, listed and re-queueable — never dropped and never only logged — and it holds
 * back the later rows of its aggregate until it is requeued.
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
    private final LaneBackoff laneBackoff;
    private final WatchedTask polls;
    /** At most one permit: a row was committed since the relay last looked (see {@link #wake()}). */
    private final Semaphore wakeups = new Semaphore(0);

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
        this.laneBackoff = new LaneBackoff(
                lane.name(),
                settings.laneBackoff().policy(),
                Clock.systemUTC(),
                () -> ThreadLocalRandom.current().nextLong());
        listener.laneChanged(laneBackoff.state());
        store.onCommittedAppend(topic -> {
            if (lane.matches(topic)) {
                wake();
            }
        });
    }

    /**
     * Tells the relay a row of its lane was committed: it polls now instead of at the end of its poll interval (a
     * relay that is busy polls again right after its current poll). Called by {@link JdbcOutboxStore} after the
     * commit of an append in this instance; the poll interval remains the fallback for rows appended elsewhere, for
     * retries that fall due and for a lane that backs off (a wake-up never cuts a backoff short).
     */
    public void wake() {
        if (wakeups.availablePermits() == 0) {
            wakeups.release();
        }
    }

    /** The lane's current state: up, or backing off since when, after which error, probing next when. */
    public OutboxLaneState laneState() {
        return laneBackoff.state();
    }

    /** The lane this relay serves. */
    public OutboxLane lane() {
        return lane;
    }

    /**
     * Claims one batch, publishes it and records the outcome of every row. While the lane backs off it claims
     * nothing until the next probe is due, and then one row.
     *
     * @return the number of rows claimed (published or failed)
     */
    public int pollOnce() {
        return poll().claimed();
    }

    private Poll poll() {
        if (!laneBackoff.mayClaim()) {
            return new Poll(0, false);
        }
        boolean probe = laneBackoff.probing();
        int limit = probe ? 1 : settings.batchSize();
        String claimToken = UUID.randomUUID().toString();
        List<OutboxRecord> batch = store.claim(claimToken, limit, settings.claimTimeout(), lane);
        if (batch.isEmpty()) {
            // nothing left to probe with (another instance delivered it): nothing is failing here any more
            if (probe && laneBackoff.succeeded()) {
                laneUp();
            }
            polls.completed();
            return new Poll(0, false);
        }
        List<CompletableFuture<?>> futures = new ArrayList<>(batch.size());
        for (OutboxRecord record : batch) {
            futures.add(sendSafely(record));
        }
        long deadline = System.nanoTime() + settings.publishTimeout().toNanos();
        List<Long> sent = new ArrayList<>();
        List<OutboxRecord> sentRecords = new ArrayList<>();
        List<Deferred> deferred = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            OutboxRecord record = batch.get(i);
            Throwable failure = awaitOutcome(futures.get(i), deadline);
            if (failure == null) {
                sent.add(record.id());
                sentRecords.add(record);
                continue;
            }
            PublishFailure kind = classify(record, failure);
            if (kind.isTransport()) {
                deferred.add(new Deferred(record, failure, kind));
            } else {
                recordFailure(claimToken, record, failure, kind);
            }
        }
        if (!deferred.isEmpty()) {
            defer(claimToken, deferred);
        }
        if (!sent.isEmpty()) {
            // acknowledged, not yet marked sent: published again after the claim expires (fault harness only)
            CrashPoints.hit(CrashPoints.OUTBOX_AFTER_PUBLISH);
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
        boolean resumed = deferred.isEmpty() && laneBackoff.succeeded();
        if (resumed) {
            laneUp();
        }
        polls.completed();
        return new Poll(batch.size(), deferred.isEmpty() && (batch.size() >= limit || resumed));
    }

    /**
     * Polls until a poll claims less than a full batch (or the lane backs off); a successful probe goes on with
     * full batches. Returns the number of rows claimed.
     */
    public int drain() {
        int total = 0;
        Poll poll;
        do {
            poll = poll();
            total += poll.claimed();
        } while (poll.more() && (running || !tasks.isRunning()));
        return total;
    }

    /** @param more whether a further poll right away may find work: the batch was full, or a probe got through */
    private record Poll(int claimed, boolean more) {}

    private record Deferred(OutboxRecord record, Throwable cause, PublishFailure failure) {}

    private PublishFailure classify(OutboxRecord record, Throwable failure) {
        if (failure instanceof TimeoutException || failure instanceof InterruptedException) {
            return PublishFailure.transport(failure.getClass().getSimpleName());
        }
        try {
            return publisher.classify(record, failure);
        } catch (RuntimeException e) {
            log.warn("relay {}: classifying a failure threw, counting it as unknown: {}", relayId, e.toString());
            return PublishFailure.unknown(failure.getClass().getSimpleName());
        }
    }

    /**
     * Transport failures: the rows go back in line with their attempts unchanged, and the lane backs off. The
     * rows are due at once: this relay does not claim before its next probe, and another instance whose lane is up
     * may try them (and then backs off too, if the transport is away for it as well).
     */
    private void defer(String claimToken, List<Deferred> deferred) {
        Deferred first = deferred.get(0);
        String error = describe(first.cause());
        store.release(
                claimToken,
                deferred.stream().map(d -> d.record().id()).toList(),
                error,
                first.failure().reason());
        OutboxLaneState state = laneBackoff.failed(error);
        deferred.forEach(d -> listener.deferred(d.record(), d.cause()));
        listener.laneChanged(state);
        if (state.consecutiveFailures() == 1) {
            log.warn(
                    "relay {}: lane {} backs off, its transport failed for {} of the batch ({}); next probe at {}",
                    relayId,
                    lane.name(),
                    deferred.size(),
                    error,
                    state.nextProbeAt());
        } else {
            log.info(
                    "relay {}: lane {} still backing off since {} ({} failures): {}; next probe at {}",
                    relayId,
                    lane.name(),
                    state.since(),
                    state.consecutiveFailures(),
                    error,
                    state.nextProbeAt());
        }
    }

    private void laneUp() {
        OutboxLaneState state = laneBackoff.state();
        listener.laneChanged(state);
        log.info("relay {}: lane {} is up again", relayId, lane.name());
    }

    /** The failure and, when it only wraps another, its innermost cause: "Send failed" alone says nothing. */
    private static String describe(Throwable failure) {
        List<Throwable> chain = PublishFailure.causes(failure);
        Throwable root = chain.get(chain.size() - 1);
        String outer = failure.getClass().getName() + ": " + failure.getMessage();
        return root == failure ? outer : outer + "; cause: " + root.getClass().getName() + ": " + root.getMessage();
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

    /** A record failure parks at once; an unknown one counts the attempt and parks after {@code maxAttempts}. */
    private void recordFailure(String claimToken, OutboxRecord record, Throwable failure, PublishFailure kind) {
        boolean park = kind.kind() == PublishFailure.Kind.RECORD || backoff.isExhausted(record.attempt());
        Duration retryIn = park ? Duration.ZERO : backoff.delay(record.attempt());
        String error = describe(failure);
        if (!store.markFailed(claimToken, record.id(), error, kind, retryIn, park)) {
            return;
        }
        try (EventLogContext logContext = EventLogContext.of(record.envelope(), true)) {
            logFailure(record, failure, kind, error, retryIn, park);
        }
    }

    private void logFailure(
            OutboxRecord record, Throwable failure, PublishFailure kind, String error, Duration retryIn, boolean park) {
        if (park) {
            log.error(
                    "outbox event {} ({} {} {}) parked after {} attempt(s), {} failure {}: {}",
                    record.envelope().eventId(),
                    record.envelope().type(),
                    record.envelope().aggregateType(),
                    record.envelope().aggregateId(),
                    record.attempt(),
                    kind.kind(),
                    kind.reason(),
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

    /**
     * One round: drain, then wait for a wake-up or the poll interval. A wake-up that comes while draining is kept (one
     * permit) and ends the next wait at once, so no commit waits for a full poll interval.
     */
    private void loop() {
        if (!running) {
            return;
        }
        wakeups.drainPermits();
        try {
            drain();
            polls.completed();
        } catch (RuntimeException e) {
            // e.g. the database is unreachable: keep polling, the rows are safe where they are
            log.warn("relay {}: poll failed, retrying in {}: {}", relayId, settings.pollInterval(), e.toString());
        }
        try {
            if (running) {
                wakeups.tryAcquire(settings.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        // the loop waits for its wake-up or the poll interval itself (loop()); the executor only re-runs it
        tasks.every(Duration.ZERO, Duration.ofMillis(1), this::loop);
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
        wake();
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
