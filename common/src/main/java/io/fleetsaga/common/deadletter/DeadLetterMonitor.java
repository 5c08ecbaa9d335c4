package io.fleetsaga.common.deadletter;

import io.fleetsaga.common.scheduling.PeriodicTasks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps the dead-letter topics and their gauges, on its own thread every {@code refresh-interval}:
 *
 * <ul>
 *   <li>until it has succeeded once (and while an original topic does not exist yet), creates missing dead-letter
 *       topics and raises their retention ({@code manage-topics});
 *   <li>{@code kafka_dead_letters_pending{topic}} — dead letters of the records of {@code topic} that nobody replayed
 *       or discarded yet: records kept in its dead-letter topic (end − start offset of each partition, read from
 *       the broker) minus those with a {@code dead_letter_action} row. Unlike {@code kafka_dead_letters_total},
 *       which counts what this process wrote since it started, it survives restarts and is the same on every
 *       replica: the alert {@code FleetSagaDeadLetters} is based on it. NaN until the first refresh;
 *   <li>{@code kafka_dead_letters_kept{topic}} — records kept in the dead-letter topic, handled or not;
 *   <li>{@code kafka_dead_letters_refresh_failures_total} — refreshes that failed (broker or database unreachable;
 *       the gauges keep their last value).
 * </ul>
 *
 * {@code topic} is the consumed topic, as in {@code kafka_dead_letters_total}. The broker is never called on the
 * scrape path.
 */
public final class DeadLetterMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterMonitor.class);

    private final DeadLetterOperations operations;
    private final DeadLetterTopics topics;
    private final DeadLetterLog broker;
    private final DeadLetterSettings settings;
    private final MeterRegistry registry;
    private final Map<String, AtomicReference<double[]>> values = new ConcurrentHashMap<>();
    private final PeriodicTasks tasks = new PeriodicTasks("dead-letter-monitor");
    private volatile boolean topicsEnsured;
    private Counter refreshFailures;

    DeadLetterMonitor(
            DeadLetterOperations operations,
            DeadLetterTopics topics,
            DeadLetterLog broker,
            DeadLetterSettings settings,
            MeterRegistry registry) {
        this.operations = operations;
        this.topics = topics;
        this.broker = broker;
        this.settings = settings;
        this.registry = registry;
        this.topicsEnsured = !settings.manageTopics();
    }

    /** Creates or adjusts the topics if not done yet, then reads the gauges' values. */
    public void refresh() {
        try {
            if (!topicsEnsured) {
                topicsEnsured = broker.ensure(topics.all(), settings.retention());
            }
            for (DeadLetterOperations.DeadLetterTopic topic : operations.summary()) {
                values(topic.originalTopic()).set(new double[] {topic.pending(), topic.records()});
            }
        } catch (RuntimeException e) {
            if (refreshFailures != null) {
                refreshFailures.increment();
            }
            log.warn("cannot refresh the dead-letter gauges: {}", e.toString());
        }
    }

    private AtomicReference<double[]> values(String originalTopic) {
        return values.computeIfAbsent(originalTopic, topic -> {
            AtomicReference<double[]> value = new AtomicReference<>(new double[] {Double.NaN, Double.NaN});
            if (registry != null) {
                Gauge.builder("kafka.dead.letters.pending", value, v -> v.get()[0])
                        .description("Dead letters of the topic's records that were neither replayed nor discarded")
                        .tag("topic", topic)
                        .register(registry);
                Gauge.builder("kafka.dead.letters.kept", value, v -> v.get()[1])
                        .description("Records kept in the topic's dead-letter topic, handled or not")
                        .tag("topic", topic)
                        .register(registry);
            }
            return value;
        });
    }

    @Override
    public void start() {
        if (tasks.isRunning()) {
            return;
        }
        if (registry != null) {
            refreshFailures = Counter.builder("kafka.dead.letters.refresh.failures")
                    .description("Failed refreshes of the dead-letter gauges")
                    .register(registry);
        }
        // the gauges exist (NaN) from the start, so a scrape shows every dead-letter topic before the first refresh
        topics.all().values().forEach(this::values);
        Duration every = settings.refreshInterval().compareTo(Duration.ofMillis(100)) < 0
                ? Duration.ofMillis(100)
                : settings.refreshInterval();
        tasks.every(Duration.ZERO, every, this::refresh);
    }

    @Override
    public void stop() {
        tasks.stop(Duration.ofSeconds(1));
    }

    @Override
    public boolean isRunning() {
        return tasks.isRunning();
    }
}
