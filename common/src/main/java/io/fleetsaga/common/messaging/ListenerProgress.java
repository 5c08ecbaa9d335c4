package io.fleetsaga.common.messaging;

import io.fleetsaga.common.scheduling.TaskStatus;
import io.fleetsaga.common.scheduling.WatchedTasks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The consumption loop of every running Kafka listener, for the background-task watchdog, as task {@code
 * kafka-listener-<id>}. A listener completes a cycle when its consumers poll the broker, unless it is failing a
 * record: then its last cycle is the one before the first failure of that record. So a consumer thread blocked in a
 * call (no poll) and one whose records keep failing (e.g. while the database does not answer) both age; one that is
 * merely idle does not. The age of the poll comes from the consumers' own {@code last-poll-seconds-ago} metric in
 * the {@link ListenerMonitor}'s latest sample (the oldest of a listener's consumer threads).
 */
public final class ListenerProgress implements WatchedTasks {

    /** Default bound of a listener; {@code fleetsaga.watchdog.bounds.kafka-listener-<id>} replaces it. */
    public static final Duration DEFAULT_BOUND = Duration.ofMinutes(1);

    private final ListenerMonitor monitor;
    private final ListenerActivity activity;
    private final Clock clock;

    public ListenerProgress(ListenerMonitor monitor, ListenerActivity activity, Clock clock) {
        this.monitor = monitor;
        this.activity = activity;
        this.clock = clock;
    }

    @Override
    public List<TaskStatus> taskStatuses() {
        ListenerMonitor.Sample sample = monitor.lastSample();
        Instant now = clock.instant();
        List<TaskStatus> statuses = new ArrayList<>();
        for (ListenerState state : sample.states()) {
            if (!state.running()) {
                continue; // not a stall: the listener health reports a stopped listener
            }
            Instant lastPoll = state.secondsSinceLastPoll() == null
                    ? state.watchedSince()
                    : sample.at().minusMillis(Math.round(state.secondsSinceLastPoll() * 1000));
            Instant lastCycle = lastPoll;
            Optional<Instant> failingSince =
                    activity.of(state.id()).flatMap(a -> a.failingSince(now, DEFAULT_BOUND.multipliedBy(2)));
            if (failingSince.isPresent() && failingSince.get().isBefore(lastCycle)) {
                lastCycle = failingSince.get();
            }
            Duration age = Duration.between(lastCycle, now);
            statuses.add(new TaskStatus(
                    "kafka-listener-" + state.id(), age.isNegative() ? Duration.ZERO : age, DEFAULT_BOUND, lastCycle));
        }
        return statuses;
    }
}
