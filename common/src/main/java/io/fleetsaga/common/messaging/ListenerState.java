package io.fleetsaga.common.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.springframework.lang.Nullable;

/**
 * One Kafka listener container as sampled by {@link ListenerMonitor}.
 *
 * @param id the listener id
 * @param optional listed in {@code fleetsaga.consumer.health.optional-listeners}: may be stopped on purpose
 * @param running the container is started
 * @param consumers consumer threads the container has (its concurrency while running)
 * @param consumersRunning consumer threads still running
 * @param inExpectedState false when a consumer stopped abnormally (its thread died)
 * @param paused a pause of the whole container is requested
 * @param pausedFor how long the pause has been seen, null when not paused
 * @param assignedPartitions partitions assigned to the container's consumers
 * @param lag records behind the log end per assigned partition, from the consumers' own fetch metrics (only
 *     while they run; a partition is missing until its first fetch)
 * @param secondsSinceLastPoll the longest time since a consumer of the container last polled, null if unknown
 * @param watchedSince when this instance first saw the container
 * @param problem why the listener is not consuming as it should, null when it is
 */
public record ListenerState(
        String id,
        boolean optional,
        boolean running,
        int consumers,
        int consumersRunning,
        boolean inExpectedState,
        boolean paused,
        @Nullable Duration pausedFor,
        List<TopicPartition> assignedPartitions,
        Map<TopicPartition, Long> lag,
        @Nullable Double secondsSinceLastPoll,
        Instant watchedSince,
        @Nullable String problem) {

    public ListenerState {
        assignedPartitions = List.copyOf(assignedPartitions);
        lag = Map.copyOf(lag);
    }

    /** Started, with every consumer thread alive (a paused container is still up). */
    public boolean up() {
        return running && inExpectedState && consumersRunning == consumers;
    }

    /** Counts against the health: a problem on a listener that must run. */
    public boolean healthy() {
        return problem == null || optional;
    }
}
