package io.fleetsaga.common.metrics;

import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.OutboxLaneState;
import io.fleetsaga.common.outbox.OutboxListener;
import io.fleetsaga.common.outbox.OutboxRecord;
import io.fleetsaga.common.outbox.OutboxStats;
import io.fleetsaga.common.scheduling.PeriodicTasks;
import io.fleetsaga.common.scheduling.TaskStatus;
import io.fleetsaga.common.scheduling.WatchedTask;
import io.fleetsaga.common.scheduling.WatchedTasks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Outbox metrics. Counters are fed by the relay's {@link OutboxListener} hooks; the backlog gauges are
 * refreshed from the database on a schedule (never on the scrape path, so a slow database cannot stall
 * a scrape).
 *
 * <ul>
 *   <li>{@code outbox_events_pending} — rows waiting to be published
 *   <li>{@code outbox_events_parked} — rows that exhausted their attempts
 *   <li>{@code outbox_oldest_pending_age_seconds} — age of the oldest pending row
 *   <li>{@code outbox_published_total{topic}}, {@code outbox_publish_failures_total{topic}},
 *       {@code outbox_parked_total{topic}}
 *   <li>{@code outbox_stats_refresh_failures_total} — the gauges could not be refreshed
 *   <li>{@code outbox_lane_backing_off{lane}} — 1 while the relay's lane backs off after a transport failure
 *       (broker or webhook receiver away), else 0
 *   <li>{@code outbox_lane_backoff_seconds{lane}} — how long the lane has been backing off, 0 when up
 *   <li>{@code outbox_lane_transport_failures_total{lane}} — failed batches and probes of the lane
 * </ul>
 *
 * <p>{@code outbox_publish_failures_total} counts every failed attempt of a record, whatever its kind; the lane
 * gauges are read from the relays' state on scrape (no database access).
 */
public final class OutboxMetrics implements OutboxListener, SmartLifecycle, WatchedTasks {

    private static final Logger log = LoggerFactory.getLogger(OutboxMetrics.class);

    private final JdbcOutboxStore store;
    private final MeterRegistry registry;
    private final Duration refreshInterval;
    private final AtomicReference<OutboxStats> stats = new AtomicReference<>(new OutboxStats(0, 0, Duration.ZERO));
    private final Counter refreshFailures;
    private final PeriodicTasks tasks = new PeriodicTasks("outbox-metrics");
    private final Map<String, OutboxLaneState> lanes = new ConcurrentHashMap<>();
    private final Clock clock;
    private final WatchedTask refreshes;

    public OutboxMetrics(JdbcOutboxStore store, MeterRegistry registry, Duration refreshInterval) {
        this(store, registry, refreshInterval, Clock.systemUTC());
    }

    OutboxMetrics(JdbcOutboxStore store, MeterRegistry registry, Duration refreshInterval, Clock clock) {
        this.clock = clock;
        this.store = store;
        this.registry = registry;
        this.refreshInterval = refreshInterval;
        // one COUNT over the outbox: the interval plus a statement that may run up to the socket timeout
        this.refreshes = new WatchedTask("outbox-stats", refreshInterval.plusSeconds(90));
        Gauge.builder("outbox.events.pending", stats, s -> s.get().pending())
                .description("Outbox rows waiting to be published")
                .register(registry);
        Gauge.builder("outbox.events.parked", stats, s -> s.get().parked())
                .description("Outbox rows parked after exhausting their attempts")
                .register(registry);
        Gauge.builder(
                        "outbox.oldest.pending.age",
                        stats,
                        s -> s.get().oldestPendingAge().toNanos() / 1e9)
                .baseUnit("seconds")
                .description("Age of the oldest outbox row waiting to be published")
                .register(registry);
        refreshFailures = Counter.builder("outbox.stats.refresh.failures")
                .description("Failed refreshes of the outbox backlog gauges")
                .register(registry);
    }

    /** Reads the backlog from the database now. */
    public void refresh() {
        try {
            stats.set(store.stats());
            refreshes.completed();
        } catch (RuntimeException e) {
            refreshFailures.increment();
            log.warn("cannot refresh outbox gauges: {}", e.toString());
        }
    }

    @Override
    public void published(OutboxRecord record) {
        counter("outbox.published", "Outbox events acknowledged by the broker", record)
                .increment();
    }

    @Override
    public void failed(OutboxRecord record, Throwable cause, Duration retryIn) {
        counter("outbox.publish.failures", "Failed outbox publish attempts", record)
                .increment();
    }

    @Override
    public void deferred(OutboxRecord record, Throwable cause) {
        counter("outbox.publish.failures", "Failed outbox publish attempts", record)
                .increment();
    }

    @Override
    public void laneChanged(OutboxLaneState state) {
        OutboxLaneState previous = lanes.put(state.lane(), state);
        if (previous == null) {
            Gauge.builder("outbox.lane.backing.off", lanes, l -> backingOff(l.get(state.lane())) ? 1 : 0)
                    .description("1 while the outbox relay's lane backs off after a transport failure")
                    .tag("lane", state.lane())
                    .register(registry);
            Gauge.builder("outbox.lane.backoff", lanes, l -> backoffSeconds(l.get(state.lane())))
                    .baseUnit("seconds")
                    .description("How long the outbox relay's lane has been backing off, 0 when up")
                    .tag("lane", state.lane())
                    .register(registry);
        }
        if (state.backingOff() && (previous == null || previous.consecutiveFailures() != state.consecutiveFailures())) {
            Counter.builder("outbox.lane.transport.failures")
                    .description("Failed batches and probes of an outbox relay's lane (transport failures)")
                    .tag("lane", state.lane())
                    .register(registry)
                    .increment();
        }
    }

    private static boolean backingOff(OutboxLaneState state) {
        return state != null && state.backingOff();
    }

    private double backoffSeconds(OutboxLaneState state) {
        return state == null ? 0 : state.backingOffFor(clock.instant()).toNanos() / 1e9;
    }

    @Override
    public void parked(OutboxRecord record, Throwable cause) {
        counter("outbox.publish.failures", "Failed outbox publish attempts", record)
                .increment();
        counter("outbox.parked", "Outbox events parked after exhausting their attempts", record)
                .increment();
    }

    private Counter counter(String name, String description, OutboxRecord record) {
        return Counter.builder(name)
                .description(description)
                .tag("topic", record.topic())
                .register(registry);
    }

    @Override
    public void start() {
        if (!tasks.isRunning()) {
            refreshes.started();
            tasks.every(
                    Duration.ZERO,
                    refreshInterval.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : refreshInterval,
                    this::refresh);
        }
    }

    @Override
    public void stop() {
        tasks.stop(Duration.ZERO);
        refreshes.stopped();
    }

    @Override
    public List<TaskStatus> taskStatuses() {
        return refreshes.active() ? List.of(refreshes.status()) : List.of();
    }

    @Override
    public boolean isRunning() {
        return tasks.isRunning();
    }
}
