package io.fleetsaga.assignment.task;

import static io.fleetsaga.assignment.task.OrderStatus.ASSIGNED;
import static io.fleetsaga.assignment.task.OrderStatus.ASSIGNMENT_PENDING;
import static io.fleetsaga.assignment.task.OrderStatus.CANCELLED;
import static io.fleetsaga.assignment.task.OrderStatus.CREATED;
import static io.fleetsaga.assignment.task.OrderStatus.DELIVERED;
import static io.fleetsaga.assignment.task.OrderStatus.DELIVERING;
import static io.fleetsaga.assignment.task.OrderStatus.ON_HOLD;
import static io.fleetsaga.assignment.task.OrderStatus.RECEIVED;
import static io.fleetsaga.assignment.task.TaskMembershipChange.Change.ORDER_ADDED;
import static io.fleetsaga.assignment.task.TaskMembershipChange.Change.ORDER_REMOVED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LinkChangeTests {

    static final String ORDER = "o-1";
    static final Map<String, String> COURIERS = Map.of("t-1", "c-1", "t-2", "c-2");

    @ParameterizedTest
    @EnumSource(
            value = OrderStatus.class,
            names = {"ASSIGNED", "DELIVERING", "ON_HOLD"})
    void aLinkedStateOfAnUnlinkedOrderCreatesTheLinkAndCountsIt(OrderStatus status) {
        LinkChange change = LinkChange.of(Optional.empty(), state("t-1", status, 3));

        assertThat(change.after()).contains(link("t-1", status, 3));
        assertThat(change.deltas()).containsExactly(new CounterDelta("t-1", 1, 0));
    }

    @Test
    void aDeliveredOrderCountsAsAssignedAndDelivered() {
        assertThat(LinkChange.of(Optional.empty(), state("t-1", DELIVERED, 4)).deltas())
                .containsExactly(new CounterDelta("t-1", 1, 1));
        assertThat(LinkChange.of(Optional.of(link("t-1", DELIVERING, 3)), state("t-1", DELIVERED, 4))
                        .deltas())
                .containsExactly(new CounterDelta("t-1", 0, 1));
    }

    @Test
    void aStatusChangeOnTheSameTaskUpdatesTheLinkWithoutCounting() {
        LinkChange change = LinkChange.of(Optional.of(link("t-1", ASSIGNED, 2)), state("t-1", DELIVERING, 3));

        assertThat(change.after()).contains(link("t-1", DELIVERING, 3));
        assertThat(change.deltas()).isEmpty();
        assertThat(change.moves()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(
            value = OrderStatus.class,
            names = {"CREATED", "RECEIVED", "CANCELLED"})
    void anUnlinkedStateReleasesTheOrderAndUncountsIt(OrderStatus status) {
        LinkChange change = LinkChange.of(Optional.of(link("t-1", DELIVERED, 4)), state(null, status, 5));

        assertThat(change.after()).isEmpty();
        assertThat(change.deltas()).containsExactly(new CounterDelta("t-1", -1, -1));
    }

    @Test
    void aLinkedStatusWithoutATaskReleasesTheOrder() {
        LinkChange change = LinkChange.of(Optional.of(link("t-1", ON_HOLD, 4)), state(null, ON_HOLD, 5));

        assertThat(change.after()).isEmpty();
        assertThat(change.deltas()).containsExactly(new CounterDelta("t-1", -1, 0));
    }

    @Test
    void anotherTaskMovesTheOrderAndItsCountsInTaskIdOrder() {
        LinkChange change = LinkChange.of(Optional.of(link("t-2", DELIVERED, 4)), state("t-1", ASSIGNED, 7));

        assertThat(change.moves()).isTrue();
        assertThat(change.after()).contains(link("t-1", ASSIGNED, 7));
        assertThat(change.deltas()).containsExactly(new CounterDelta("t-1", 1, 0), new CounterDelta("t-2", -1, -1));
    }

    @Test
    void assignmentPendingNeverCreatesALink() {
        LinkChange change = LinkChange.of(Optional.empty(), state("t-1", ASSIGNMENT_PENDING, 1));

        assertThat(change.after()).isEmpty();
        assertThat(change.deltas()).isEmpty();
    }

    @Test
    void assignmentPendingKeepsTheCommandsLinkToTheSameTask() {
        LinkChange change =
                LinkChange.of(Optional.of(link("t-1", ASSIGNMENT_PENDING, 1)), state("t-1", ASSIGNMENT_PENDING, 1));

        assertThat(change.after()).contains(link("t-1", ASSIGNMENT_PENDING, 1));
        assertThat(change.deltas()).isEmpty();
    }

    @Test
    void assignmentPendingForAnotherTaskReleasesTheOldLink() {
        LinkChange change = LinkChange.of(Optional.of(link("t-2", ON_HOLD, 4)), state("t-1", ASSIGNMENT_PENDING, 6));

        assertThat(change.after()).isEmpty();
        assertThat(change.deltas()).containsExactly(new CounterDelta("t-2", -1, 0));
    }

    @Test
    void theCommandLinksAPendingOrder() {
        LinkChange change = LinkChange.linkedByCommand(state("t-1", ASSIGNMENT_PENDING, 1));

        assertThat(change.after()).contains(link("t-1", ASSIGNMENT_PENDING, 1));
        assertThat(change.deltas()).containsExactly(new CounterDelta("t-1", 1, 0));
    }

    @Test
    void withoutTheUnknownTaskOnlyTheReleaseRemains() {
        LinkChange change = LinkChange.of(Optional.of(link("t-2", DELIVERING, 3)), state("t-9", ASSIGNED, 5))
                .withoutLinkTo("t-9");

        assertThat(change.after()).isEmpty();
        assertThat(change.deltas()).containsExactly(new CounterDelta("t-2", -1, 0));
        assertThat(change.withoutLinkTo("t-2")).isEqualTo(change);
    }

    @Test
    void releasingAnUnlinkedOrderChangesNothing() {
        for (OrderStatus status : new OrderStatus[] {CREATED, RECEIVED, CANCELLED}) {
            LinkChange change = LinkChange.of(Optional.empty(), state(null, status, 2));
            assertThat(change.after()).isEmpty();
            assertThat(change.deltas()).isEmpty();
        }
    }

    @Test
    void joiningATaskByStateOrCommandIsOneAdditionForThatTasksCourier() {
        OrderState repair = state("t-1", ASSIGNED, 2);
        OrderState pending = state("t-1", ASSIGNMENT_PENDING, 1);

        assertThat(LinkChange.of(Optional.empty(), repair).membershipChanges(repair, COURIERS::get))
                .containsExactly(membership(ORDER_ADDED, "t-1", ASSIGNED, 2));
        assertThat(LinkChange.linkedByCommand(pending).membershipChanges(pending, COURIERS::get))
                .containsExactly(membership(ORDER_ADDED, "t-1", ASSIGNMENT_PENDING, 1));
    }

    @ParameterizedTest
    @EnumSource(
            value = OrderStatus.class,
            names = {"CREATED", "RECEIVED", "CANCELLED"})
    void beingReleasedIsOneRemovalWithTheReleasingStatus(OrderStatus status) {
        OrderState released = state(null, status, 5);

        assertThat(LinkChange.of(Optional.of(link("t-1", ON_HOLD, 4)), released)
                        .membershipChanges(released, COURIERS::get))
                .containsExactly(membership(ORDER_REMOVED, "t-1", status, 5));
    }

    @Test
    void aMoveIsARemovalFromTheOldTaskThenAnAdditionToTheNewOne() {
        OrderState moved = state("t-2", ASSIGNED, 7);

        assertThat(LinkChange.of(Optional.of(link("t-1", DELIVERING, 6)), moved)
                        .membershipChanges(moved, COURIERS::get))
                .containsExactly(
                        membership(ORDER_REMOVED, "t-1", ASSIGNED, 7), membership(ORDER_ADDED, "t-2", ASSIGNED, 7));
    }

    @Test
    void aStatusChangeOnTheSameTaskOrOffAnyTaskIsNoMembershipChange() {
        OrderState delivering = state("t-1", DELIVERING, 3);
        OrderState cancelled = state(null, CANCELLED, 3);

        assertThat(LinkChange.of(Optional.of(link("t-1", ASSIGNED, 2)), delivering)
                        .membershipChanges(delivering, COURIERS::get))
                .isEmpty();
        assertThat(LinkChange.of(Optional.empty(), cancelled).membershipChanges(cancelled, COURIERS::get))
                .isEmpty();
    }

    @Test
    void aStateNamingAnUnknownTaskOnlyRemovesTheOrderFromItsOldTask() {
        OrderState unknown = state("t-9", ASSIGNED, 5);

        assertThat(LinkChange.of(Optional.of(link("t-1", DELIVERING, 3)), unknown)
                        .withoutLinkTo("t-9")
                        .membershipChanges(unknown, COURIERS::get))
                .containsExactly(membership(ORDER_REMOVED, "t-1", ASSIGNED, 5));
    }

    private static TaskMembershipChange membership(
            TaskMembershipChange.Change change, String taskId, OrderStatus status, long version) {
        return new TaskMembershipChange(change, COURIERS.get(taskId), taskId, ORDER, status, version);
    }

    private static OrderState state(String taskId, OrderStatus status, long version) {
        return new OrderState(ORDER, taskId, status, version);
    }

    private static OrderLink link(String taskId, OrderStatus status, long version) {
        return new OrderLink(ORDER, taskId, status, version);
    }
}
