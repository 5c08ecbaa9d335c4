package io.fleetsaga.common.metrics;

import io.fleetsaga.common.messaging.ListenerActivity;
import io.fleetsaga.common.messaging.ListenerMonitor;
import io.fleetsaga.common.messaging.ListenerState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka listener metrics, fed by every {@link ListenerMonitor} sample (gauges) and by {@link ListenerActivity}
 * (records), per listener id:
 *
 * <ul>
 *   <li>{@code kafka_listener_up{listener}} — 1 while the container runs with all its consumer threads, else 0
 *   <li>{@code kafka_listener_paused{listener}} — 1 while a pause of the container is requested
 *   <li>{@code kafka_listener_records_total{listener}} — records handed to the listener (redeliveries included)
 *   <li>{@code kafka_listener_last_record_age_seconds{listener}} — since the last record was handed to the
 *       listener, or since this instance started watching it if none yet (so a listener idle since startup
 *       ages too)
 *   <li>{@code kafka_consumer_lag_records{listener,topic,partition}} — records behind the log end, from the
 *       consumer's own fetch metrics; only while the listener runs
 * </ul>
 *
 * Gauges read the latest sample ({@code fleetsaga.consumer.health.check-interval}), never the containers on
 * the scrape path. A listener that is not tracked by {@link ListenerActivity} has no records or age series.
 */
public final class ListenerMetrics implements ListenerMonitor.Observer {

    private final MeterRegistry registry;
    private final ListenerActivity activity;
    private final Clock clock;
    private final Map<String, ListenerState> latest = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final Set<String> tracked = ConcurrentHashMap.newKeySet();
    private final MultiGauge lag;

    public ListenerMetrics(MeterRegistry registry, ListenerActivity activity, Clock clock) {
        this.registry = registry;
        this.activity = activity;
        this.clock = clock;
        this.lag = MultiGauge.builder("kafka.consumer.lag")
                .baseUnit("records")
                .description("Records behind the log end per assigned partition of a Kafka listener")
                .register(registry);
    }

    @Override
    public void sampled(List<ListenerState> states) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (ListenerState state : states) {
            latest.put(state.id(), state);
            register(state.id());
            for (Map.Entry<TopicPartition, Long> entry : state.lag().entrySet()) {
                rows.add(MultiGauge.Row.of(
                        Tags.of(
                                "listener",
                                state.id(),
                                "topic",
                                entry.getKey().topic(),
                                "partition",
                                String.valueOf(entry.getKey().partition())),
                        entry.getValue()));
            }
        }
        lag.register(rows, true);
    }

    private void register(String id) {
        if (registered.add(id)) {
            gauge(
                    "kafka.listener.up",
                    "1 while the listener runs with all its consumer threads",
                    id,
                    s -> s.up() ? 1 : 0);
            gauge("kafka.listener.paused", "1 while a pause of the listener is requested", id, s -> s.paused() ? 1 : 0);
        }
        if (!tracked.contains(id) && activity.of(id).isPresent()) {
            tracked.add(id);
            FunctionCounter.builder(
                            "kafka.listener.records",
                            activity,
                            a -> a.of(id)
                                    .map(ListenerActivity.Activity::records)
                                    .orElse(0L))
                    .description("Records handed to the Kafka listener, redeliveries included")
                    .tag("listener", id)
                    .register(registry);
            Gauge.builder("kafka.listener.last.record.age", this, m -> m.lastRecordAgeSeconds(id))
                    .baseUnit("seconds")
                    .description("Time since the Kafka listener last received a record (or since it is watched)")
                    .tag("listener", id)
                    .register(registry);
        }
    }

    private void gauge(String name, String description, String id, ToDoubleFunction<ListenerState> value) {
        Gauge.builder(name, this, m -> {
                    ListenerState state = m.latest.get(id);
                    return state == null ? Double.NaN : value.applyAsDouble(state);
                })
                .description(description)
                .tag("listener", id)
                .register(registry);
    }

    private double lastRecordAgeSeconds(String id) {
        ListenerState state = latest.get(id);
        Instant since = activity.of(id)
                .flatMap(ListenerActivity.Activity::lastRecordAt)
                .orElse(state == null ? null : state.watchedSince());
        return since == null
                ? Double.NaN
                : Duration.between(since, clock.instant()).toNanos() / 1e9;
    }
}
