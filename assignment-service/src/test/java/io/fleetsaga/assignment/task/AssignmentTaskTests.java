package io.fleetsaga.assignment.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssignmentTaskTests {

    @Test
    void admitsAnOrderWhileOpenAndBelowCapacity() {
        assertThat(task(TaskStatus.OPEN, 2, 1).refusal("o-1")).isEmpty();
    }

    @Test
    void refusesAnOrderWhenFull() {
        assertThat(task(TaskStatus.OPEN, 2, 2).refusal("o-1"))
                .contains(new AssignmentDecision.Rejected(
                        "o-1", "t-1", RejectionReason.TASK_FULL, "task t-1 has 2 of 2 orders"));
    }

    @Test
    void refusesAnOrderWhenClosedEvenWithRoom() {
        assertThat(task(TaskStatus.CLOSED, 2, 0).refusal("o-1"))
                .hasValueSatisfying(rejected -> assertThat(rejected.reason()).isEqualTo(RejectionReason.TASK_CLOSED));
    }

    @Test
    void closesOnce() {
        AssignmentTask task = task(TaskStatus.OPEN, 2, 0);

        assertThat(task.close()).isTrue();
        assertThat(task.status()).isEqualTo(TaskStatus.CLOSED);
        assertThat(task.close()).isFalse();
    }

    @Test
    void theOverviewCountsEveryLinkableStatus() {
        TaskOverview overview = new TaskOverview(
                task(TaskStatus.OPEN, 5, 3),
                List.of(
                        new OrderLink("o-1", "t-1", OrderStatus.DELIVERED, 4),
                        new OrderLink("o-2", "t-1", OrderStatus.DELIVERED, 4),
                        new OrderLink("o-3", "t-1", OrderStatus.ON_HOLD, 4)));

        assertThat(overview.countsByStatus())
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                        OrderStatus.ASSIGNMENT_PENDING, 0,
                        OrderStatus.ASSIGNED, 0,
                        OrderStatus.DELIVERING, 0,
                        OrderStatus.DELIVERED, 2,
                        OrderStatus.ON_HOLD, 1));
    }

    private static AssignmentTask task(TaskStatus status, int capacity, int assigned) {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        return new AssignmentTask("t-1", "c-1", capacity, status, assigned, 0, now, now, null);
    }
}
