package io.fleetsaga.common.messaging;

import io.fleetsaga.common.scheduling.PeriodicTasks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ListenerContainerRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Watches every Kafka listener container of the registry (those of {@code @KafkaListener} and containers
 * declared as beans) so that a consumer that stops consuming shows — the I-4 consumer that stayed switched
 * off after the broker came back.
 *
 * <p>A listener has a problem when it is not started, when one of its consumer threads stopped abnormally,
 * or when it has been paused for longer than {@code max-pause}. Listeners named in {@code optional-listeners}
 * are reported the same way but their problems do not count against the health. The state is sampled every
 * {@code check-interval} (for the gauges, the pause clock and a log line on every change) and on demand by
 * the health endpoint. Sampling only reads the containers' state and their consumers' client metrics: it
 * never calls the broker.
 */
public final class ListenerMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ListenerMonitor.class);

    /** Receives every sample, e.g. to export it as metrics. */
    @FunctionalInterface
    public interface Observer {
        void sampled(List<ListenerState> states);
    }

    private final ListenerContainerRegistry registry;
    private final ListenerHealthSettings settings;
    private final Clock clock;
    private final List<Observer> observers;
    private final Map<String, Instant> watchedSince = new ConcurrentHashMap<>();
    private final Map<String, Instant> pausedSince = new ConcurrentHashMap<>();
    private final Map<String, String> reportedProblems = new HashMap<>();
    private final PeriodicTasks tasks = new PeriodicTasks("kafka-listener-monitor");
    private volatile Sample lastSample = new Sample(List.of(), Instant.EPOCH);

    /** The states of one sample and when it was taken. */
    public record Sample(List<ListenerState> states, Instant at) {}

    public ListenerMonitor(
            ListenerContainerRegistry registry,
            ListenerHealthSettings settings,
            Clock clock,
            List<? extends Observer> observers) {
        this.registry = registry;
        this.settings = settings;
        this.clock = clock;
        this.observers = List.copyOf(observers);
    }

    /** Samples every listener now, ordered by id. */
    public synchronized List<ListenerState> sample() {
        Instant now = clock.instant();
        List<ListenerState> states = new ArrayList<>();
        for (MessageListenerContainer container : containers()) {
            states.add(inspect(container, now));
        }
        states.sort(Comparator.comparing(ListenerState::id));
        lastSample = new Sample(List.copyOf(states), now);
        if (tasks.isRunning()) {
            logChanges(states);
        }
        for (Observer observer : observers) {
            try {
                observer.sampled(states);
            } catch (RuntimeException e) {
                log.warn("listener state observer {} failed: {}", observer, e.toString());
            }
        }
        return states;
    }

    /** The latest sample, periodic or on demand (empty before the first). */
    public Sample lastSample() {
        return lastSample;
    }

    private Collection<MessageListenerContainer> containers() {
        try {
            return registry.getAllListenerContainers();
        } catch (RuntimeException e) {
            // the application context is closing
            return List.of();
        }
    }

    private ListenerState inspect(MessageListenerContainer container, Instant now) {
        String id = Objects.requireNonNullElse(container.getListenerId(), "unnamed");
        Instant since = watchedSince.computeIfAbsent(id, k -> now);
        boolean running = container.isRunning();
        int consumers;
        int consumersRunning;
        if (container instanceof ConcurrentMessageListenerContainer<?, ?> concurrent) {
            List<? extends MessageListenerContainer> children = concurrent.getContainers();
            consumers = children.size();
            consumersRunning = (int) children.stream()
                    .filter(MessageListenerContainer::isRunning)
                    .count();
        } else {
            consumers = 1;
            consumersRunning = running ? 1 : 0;
        }
        boolean inExpectedState = container.isInExpectedState();
        boolean paused = container.isPauseRequested();
        Duration pausedFor = null;
        if (paused) {
            pausedFor = Duration.between(pausedSince.computeIfAbsent(id, k -> now), now);
        } else {
            pausedSince.remove(id);
        }
        List<TopicPartition> assigned = new ArrayList<>();
        Map<TopicPartition, Long> lag = new LinkedHashMap<>();
        Double sinceLastPoll = null;
        if (running) {
            Collection<TopicPartition> partitions = container.getAssignedPartitions();
            if (partitions != null) {
                assigned.addAll(partitions);
                assigned.sort(Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition));
            }
            ClientMetrics client = ClientMetrics.of(container);
            for (TopicPartition partition : assigned) {
                Long behind = client.lag(partition);
                if (behind != null) {
                    lag.put(partition, behind);
                }
            }
            sinceLastPoll = client.secondsSinceLastPoll;
        }
        String problem = problem(container, running, consumers, consumersRunning, inExpectedState, pausedFor);
        return new ListenerState(
                id,
                settings.optionalListeners().contains(id),
                running,
                consumers,
                consumersRunning,
                inExpectedState,
                paused,
                pausedFor,
                assigned,
                lag,
                sinceLastPoll,
                since,
                problem);
    }

    private String problem(
            MessageListenerContainer container,
            boolean running,
            int consumers,
            int consumersRunning,
            boolean inExpectedState,
            Duration pausedFor) {
        if (!running) {
            return container.isAutoStartup() ? "stopped" : "stopped (auto-startup is off)";
        }
        if (consumersRunning < consumers) {
            return (consumers - consumersRunning) + " of " + consumers + " consumers stopped";
        }
        if (!inExpectedState) {
            return "a consumer stopped abnormally";
        }
        if (pausedFor != null && pausedFor.compareTo(settings.maxPause()) > 0) {
            // stable text (no running clock), so the change is logged once
            return "paused for longer than max-pause (" + seconds(settings.maxPause()) + ")";
        }
        return null;
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }

    private void logChanges(List<ListenerState> states) {
        for (ListenerState state : states) {
            String before = reportedProblems.get(state.id());
            if (Objects.equals(before, state.problem())) {
                continue;
            }
            if (state.problem() == null) {
                reportedProblems.remove(state.id());
                log.info("Kafka listener '{}' is consuming again", state.id());
            } else {
                reportedProblems.put(state.id(), state.problem());
                if (state.optional()) {
                    log.info("Kafka listener '{}' (optional) is not consuming: {}", state.id(), state.problem());
                } else {
                    log.warn("Kafka listener '{}' is not consuming: {}", state.id(), state.problem());
                }
            }
        }
    }

    /** Starts after the listener containers (higher phase), so the first sample does not see them starting. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    @Override
    public void start() {
        if (!tasks.isRunning()) {
            tasks.every(
                    Duration.ZERO,
                    settings.checkInterval().compareTo(Duration.ofMillis(50)) < 0
                            ? Duration.ofMillis(50)
                            : settings.checkInterval(),
                    this::sampleQuietly);
        }
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            log.warn("cannot sample the Kafka listeners: {}", e.toString());
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

    /**
     * The Kafka consumer's own metrics of a container's consumers ({@code metrics()} is safe to call from
     * another thread). The client replaces dots in topic names by underscores in its metric tags, so lag is
     * looked up by the assigned partitions, which carry the real names.
     */
    private record ClientMetrics(Map<String, Long> lagByTopicPartition, Double secondsSinceLastPoll) {

        static ClientMetrics of(MessageListenerContainer container) {
            Map<String, Long> lag = new HashMap<>();
            Double sinceLastPoll = null;
            Map<String, Map<MetricName, ? extends Metric>> byClient;
            try {
                byClient = container.metrics();
            } catch (RuntimeException e) {
                return new ClientMetrics(lag, null);
            }
            for (Map<MetricName, ? extends Metric> metrics : byClient.values()) {
                for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
                    MetricName name = entry.getKey();
                    if ("records-lag".equals(name.name()) && "consumer-fetch-manager-metrics".equals(name.group())) {
                        String topic = name.tags().get("topic");
                        String partition = name.tags().get("partition");
                        Double value = number(entry.getValue());
                        if (topic != null && partition != null && value != null) {
                            lag.put(topic + "/" + partition, Math.round(value));
                        }
                    } else if ("last-poll-seconds-ago".equals(name.name()) && "consumer-metrics".equals(name.group())) {
                        Double value = number(entry.getValue());
                        if (value != null && (sinceLastPoll == null || value > sinceLastPoll)) {
                            sinceLastPoll = value;
                        }
                    }
                }
            }
            return new ClientMetrics(lag, sinceLastPoll);
        }

        Long lag(TopicPartition partition) {
            return lagByTopicPartition.get(partition.topic().replace('.', '_') + "/" + partition.partition());
        }

        private static Double number(Metric metric) {
            Object value = metric.metricValue();
            if (value instanceof Number number) {
                double d = number.doubleValue();
                return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
            }
            return null;
        }
    }
}
