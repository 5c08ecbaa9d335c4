package io.fleetsaga.common.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.metrics.BackgroundTaskMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

class BackgroundTaskWatchdogTests {

    private final WatchedTask relay = new WatchedTask("outbox-relay-kafka", Duration.ofMillis(200));
    private final WatchedTask cleanup = new WatchedTask("inbox-cleanup", Duration.ofHours(1));
    private final List<WatchedTask> running = new ArrayList<>(List.of(relay, cleanup));
    private final WatchedTasks source = () -> running.stream()
            .filter(WatchedTask::active)
            .map(WatchedTask::status)
            .toList();

    @Test
    void flagsALoopThatHasNotCompletedACycleWithinItsBoundUntilItCompletesOneAgain() {
        BackgroundTaskWatchdog watchdog = watchdog(Map.of());
        relay.started();
        cleanup.started();
        relay.completed();
        assertThat(watchdog.status("outbox-relay-kafka").orElseThrow().stalled())
                .isFalse();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> watchdog.status("outbox-relay-kafka").orElseThrow().stalled());
        assertThat(watchdog.status("inbox-cleanup").orElseThrow().stalled()).isFalse();
        Status down = new BackgroundTasksHealthIndicator(watchdog).health().getStatus();
        assertThat(down).isEqualTo(Status.DOWN);

        relay.completed();
        assertThat(watchdog.status("outbox-relay-kafka").orElseThrow().stalled())
                .isFalse();
        assertThat(new BackgroundTasksHealthIndicator(watchdog).health().getStatus())
                .isEqualTo(Status.UP);
    }

    @Test
    void aLoopThatNeverCompletedACycleAgesFromItsStart() {
        BackgroundTaskWatchdog watchdog = watchdog(Map.of());
        relay.started();
        cleanup.started();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> watchdog.status("outbox-relay-kafka").orElseThrow().stalled());
        assertThat(watchdog.status("outbox-relay-kafka").orElseThrow().lastCompletedAt())
                .isNull();
    }

    @Test
    void aConfiguredBoundReplacesTheLoopsOwnAndAStoppedLoopIsNotReported() {
        BackgroundTaskWatchdog watchdog = watchdog(Map.of("inbox-cleanup", Duration.ofMillis(1)));
        relay.started();
        cleanup.started();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> watchdog.status("inbox-cleanup").orElseThrow().stalled());
        assertThat(watchdog.status("inbox-cleanup").orElseThrow().bound()).isEqualTo(Duration.ofMillis(1));

        cleanup.stopped();
        assertThat(watchdog.status("inbox-cleanup")).isEmpty();
    }

    @Test
    void exportsAgeBoundAndStalledPerTaskAndNaNWhileTheTaskDoesNotRun() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BackgroundTaskMetrics[] metrics = new BackgroundTaskMetrics[1];
        BackgroundTaskWatchdog watchdog = new BackgroundTaskWatchdog(
                () -> List.of(source), new WatchdogSettings(Duration.ofSeconds(1), Map.of()), () -> List.of(metrics));
        metrics[0] = new BackgroundTaskMetrics(registry, watchdog);
        relay.started();
        cleanup.started();
        watchdog.check();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.get("fleetsaga.background.task.stalled")
                                .tag("task", "outbox-relay-kafka")
                                .gauge()
                                .value()
                        == 1.0);
        assertThat(registry.get("fleetsaga.background.task.last.completion.age")
                        .tag("task", "outbox-relay-kafka")
                        .gauge()
                        .value())
                .isGreaterThan(0.2);
        assertThat(registry.get("fleetsaga.background.task.bound")
                        .tag("task", "outbox-relay-kafka")
                        .gauge()
                        .value())
                .isEqualTo(0.2);
        assertThat(registry.get("fleetsaga.background.task.stalled")
                        .tag("task", "inbox-cleanup")
                        .gauge()
                        .value())
                .isZero();

        relay.stopped();
        assertThat(registry.get("fleetsaga.background.task.stalled")
                        .tag("task", "outbox-relay-kafka")
                        .gauge()
                        .value())
                .isNaN();
    }

    private BackgroundTaskWatchdog watchdog(Map<String, Duration> bounds) {
        return new BackgroundTaskWatchdog(
                () -> List.of(source), new WatchdogSettings(Duration.ofSeconds(1), bounds), List::of);
    }
}
