package io.fleetsaga.common.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of every Kafka listener ({@code kafkaListeners}): DOWN while a listener that must run is stopped,
 * has lost a consumer thread, or has been paused for longer than {@code max-pause}. Details per listener id:
 * its status and problem, running, paused, consumer threads, assigned partitions, lag, and the records it
 * received. Not part of the readiness group by default (see {@code docs/listener-health.md}): a stopped
 * consumer must alert, not take the HTTP API out of the load balancer.
 */
public final class ListenerHealthIndicator implements HealthIndicator {

    private final ListenerMonitor monitor;
    private final ListenerActivity activity;
    private final Clock clock;

    public ListenerHealthIndicator(ListenerMonitor monitor, ListenerActivity activity, Clock clock) {
        this.monitor = monitor;
        this.activity = activity;
        this.clock = clock;
    }

    @Override
    public Health health() {
        List<ListenerState> states = monitor.sample();
        Health.Builder health = states.stream().allMatch(ListenerState::healthy) ? Health.up() : Health.down();
        for (ListenerState state : states) {
            health.withDetail(state.id(), details(state));
        }
        return health.build();
    }

    private Map<String, Object> details(ListenerState state) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("status", state.problem() == null ? "UP" : "DOWN");
        if (state.problem() != null) {
            details.put("problem", state.problem());
        }
        if (state.optional()) {
            details.put("optional", true);
        }
        details.put("running", state.running());
        details.put("consumers", state.consumersRunning() + "/" + state.consumers());
        details.put("paused", state.paused());
        if (state.pausedFor() != null) {
            details.put("pausedForSeconds", state.pausedFor().toSeconds());
        }
        details.put(
                "assignedPartitions",
                state.assignedPartitions().stream()
                        .map(TopicPartition::toString)
                        .toList());
        Map<String, Long> lag = new LinkedHashMap<>();
        for (TopicPartition partition : state.assignedPartitions()) {
            Long behind = state.lag().get(partition);
            if (behind != null) {
                lag.put(partition.toString(), behind);
            }
        }
        details.put("lag", lag);
        if (state.secondsSinceLastPoll() != null) {
            details.put("secondsSinceLastPoll", state.secondsSinceLastPoll());
        }
        Optional<ListenerActivity.Activity> received = activity.of(state.id());
        if (received.isEmpty()) {
            details.put("records", "not tracked");
        } else {
            details.put("records", received.get().records());
            Optional<Instant> last = received.get().lastRecordAt();
            details.put("lastRecordAt", last.map(Instant::toString).orElse("none since " + state.watchedSince()));
            last.ifPresent(at -> details.put(
                    "lastRecordAgeSeconds",
                    Duration.between(at, clock.instant()).toSeconds()));
        }
        return details;
    }
}
