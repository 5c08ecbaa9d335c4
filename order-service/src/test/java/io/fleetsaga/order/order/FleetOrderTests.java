package io.fleetsaga.order.order;

import static io.fleetsaga.order.order.FleetOrders.TASK;
import static io.fleetsaga.order.order.FleetOrders.inStatus;
import static io.fleetsaga.order.order.OrderStatus.ASSIGNED;
import static io.fleetsaga.order.order.OrderStatus.ASSIGNMENT_PENDING;
import static io.fleetsaga.order.order.OrderStatus.CANCELLED;
import static io.fleetsaga.order.order.OrderStatus.CREATED;
import static io.fleetsaga.order.order.OrderStatus.DELIVERED;
import static io.fleetsaga.order.order.OrderStatus.DELIVERING;
import static io.fleetsaga.order.order.OrderStatus.ON_HOLD;
import static io.fleetsaga.order.order.OrderStatus.RECEIVED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class FleetOrderTests {

    private static final Instant NOW = Instant.parse("2026-01-01T09:00:00Z");

    /** Every action and the statuses it is legal in; everything else must be rejected. */
    private static final Map<OrderAction, Set<OrderStatus>> LEGAL = Map.of(
            OrderAction.ASSIGN, EnumSet.of(CREATED, RECEIVED),
            OrderAction.CONFIRM_ASSIGNMENT, EnumSet.of(ASSIGNMENT_PENDING),
            OrderAction.COMPENSATE_ASSIGNMENT, EnumSet.of(ASSIGNMENT_PENDING),
            OrderAction.PICK_UP, EnumSet.of(ASSIGNED),
            OrderAction.DELIVER, EnumSet.of(DELIVERING),
            OrderAction.FAIL_DELIVERY, EnumSet.of(DELIVERING),
            OrderAction.RECEIVE, EnumSet.of(ON_HOLD),
            OrderAction.CANCEL, EnumSet.of(CREATED, ASSIGNMENT_PENDING, ASSIGNED, DELIVERING, ON_HOLD, RECEIVED));

    private static final Map<OrderAction, BiFunction<FleetOrder, Instant, OrderTransition>> ACTIONS = Map.of(
            OrderAction.ASSIGN,
            (o, t) -> o.assign("t-2", t),
            OrderAction.CONFIRM_ASSIGNMENT,
            FleetOrder::confirmAssignment,
            OrderAction.COMPENSATE_ASSIGNMENT,
            (o, t) -> o.compensateAssignment("TASK_FULL", t),
            OrderAction.PICK_UP,
            FleetOrder::pickUp,
            OrderAction.DELIVER,
            FleetOrder::deliver,
            OrderAction.FAIL_DELIVERY,
            (o, t) -> o.failDelivery("nobody home", t),
            OrderAction.RECEIVE,
            FleetOrder::receive,
            OrderAction.CANCEL,
            (o, t) -> o.cancel("customer withdrew", t));

    @Test
    void aNewOrderIsCreatedWithoutTaskAtVersionZero() {
        FleetOrder order = FleetOrder.create("o-1", NOW);

        assertThat(order.status()).isEqualTo(CREATED);
        assertThat(order.taskId()).isNull();
        assertThat(order.version()).isZero();
        assertThat(order.creation()).isEqualTo(new OrderTransition(OrderAction.CREATE, null, CREATED, null, NOW));
    }

    @ParameterizedTest
    @EnumSource(
            value = OrderStatus.class,
            names = {"CREATED", "RECEIVED"})
    void assignsACreatedOrReceivedOrderToATaskPendingConfirmation(OrderStatus from) {
        FleetOrder order = inStatus(from);

        OrderTransition transition = order.assign("t-9", NOW);

        assertThat(transition).isEqualTo(new OrderTransition(OrderAction.ASSIGN, from, ASSIGNMENT_PENDING, null, NOW));
        assertThat(order.status()).isEqualTo(ASSIGNMENT_PENDING);
        assertThat(order.taskId()).isEqualTo("t-9");
        assertThat(order.updatedAt()).isEqualTo(NOW);
    }

    @Test
    void confirmsAPendingAssignment() {
        FleetOrder order = inStatus(ASSIGNMENT_PENDING);

        assertThat(order.confirmAssignment(NOW))
                .isEqualTo(
                        new OrderTransition(OrderAction.CONFIRM_ASSIGNMENT, ASSIGNMENT_PENDING, ASSIGNED, null, NOW));
        assertThat(order.status()).isEqualTo(ASSIGNED);
        assertThat(order.taskId()).isEqualTo(TASK);
    }

    @Test
    void compensatesAPendingAssignmentBackToCreatedOffTheTaskKeepingTheReason() {
        FleetOrder order = inStatus(ASSIGNMENT_PENDING);

        OrderTransition transition = order.compensateAssignment("TASK_FULL: task t-1 has 20 of 20 orders", NOW);

        assertThat(transition.to()).isEqualTo(CREATED);
        assertThat(order.status()).isEqualTo(CREATED);
        assertThat(order.taskId()).isNull();
        assertThat(order.statusReason()).isEqualTo("TASK_FULL: task t-1 has 20 of 20 orders");
    }

    @Test
    void aCompensatedOrderCanBeAssignedAgainAndLosesTheOldReason() {
        FleetOrder order = inStatus(ASSIGNMENT_PENDING);
        order.compensateAssignment("TASK_CLOSED", NOW);

        order.assign("t-2", NOW);

        assertThat(order.status()).isEqualTo(ASSIGNMENT_PENDING);
        assertThat(order.taskId()).isEqualTo("t-2");
        assertThat(order.statusReason()).isNull();
    }

    @Test
    void picksUpAnAssignedOrder() {
        FleetOrder order = inStatus(ASSIGNED);

        assertThat(order.pickUp(NOW))
                .isEqualTo(new OrderTransition(OrderAction.PICK_UP, ASSIGNED, DELIVERING, null, NOW));
        assertThat(order.taskId()).isEqualTo(TASK);
    }

    @Test
    void deliversADeliveringOrderAndStaysOnTheTask() {
        FleetOrder order = inStatus(DELIVERING);

        assertThat(order.deliver(NOW))
                .isEqualTo(new OrderTransition(OrderAction.DELIVER, DELIVERING, DELIVERED, null, NOW));
        assertThat(order.taskId()).isEqualTo(TASK);
    }

    @Test
    void aFailedDeliveryPutsTheOrderOnHoldWithTheReason() {
        FleetOrder order = inStatus(DELIVERING);

        assertThat(order.failDelivery("nobody home", NOW))
                .isEqualTo(new OrderTransition(OrderAction.FAIL_DELIVERY, DELIVERING, ON_HOLD, "nobody home", NOW));
        assertThat(order.statusReason()).isEqualTo("nobody home");
        assertThat(order.taskId()).isEqualTo(TASK);
    }

    @Test
    void receivingAnOrderOnHoldTakesItOffItsTask() {
        FleetOrder order = inStatus(ON_HOLD);

        assertThat(order.receive(NOW))
                .isEqualTo(new OrderTransition(OrderAction.RECEIVE, ON_HOLD, RECEIVED, null, NOW));
        assertThat(order.taskId()).isNull();
    }

    @ParameterizedTest
    @EnumSource(
            value = OrderStatus.class,
            names = {"DELIVERED", "CANCELLED"},
            mode = EnumSource.Mode.EXCLUDE)
    void cancelsFromEveryNonTerminalStatusAndLeavesTheTask(OrderStatus from) {
        FleetOrder order = inStatus(from);

        assertThat(order.cancel("customer withdrew", NOW))
                .isEqualTo(new OrderTransition(OrderAction.CANCEL, from, CANCELLED, "customer withdrew", NOW));
        assertThat(order.status()).isEqualTo(CANCELLED);
        assertThat(order.taskId()).isNull();
        assertThat(order.statusReason()).isEqualTo("customer withdrew");
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("illegalTransitions")
    void rejectsAnIllegalTransitionNamingTheCurrentStatusAndChangesNothing(OrderAction action, OrderStatus status) {
        FleetOrder order = inStatus(status);
        String taskBefore = order.taskId();
        Instant updatedBefore = order.updatedAt();

        assertThatThrownBy(() -> ACTIONS.get(action).apply(order, NOW))
                .isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
                    assertThat(e.currentStatus()).isEqualTo(status);
                    assertThat(e.action()).isEqualTo(action);
                    assertThat(e.orderId()).isEqualTo(order.id());
                })
                .hasMessageContaining(status.name())
                .hasMessageContaining(action.name());
        assertThat(order.status()).isEqualTo(status);
        assertThat(order.taskId()).isEqualTo(taskBefore);
        assertThat(order.updatedAt()).isEqualTo(updatedBefore);
    }

    static Stream<Arguments> illegalTransitions() {
        List<Arguments> illegal = new ArrayList<>();
        for (OrderAction action : ACTIONS.keySet()) {
            for (OrderStatus status : OrderStatus.values()) {
                if (!LEGAL.get(action).contains(status)) {
                    illegal.add(Arguments.of(action, status));
                }
            }
        }
        return illegal.stream();
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("legalTransitions")
    void everyLegalTransitionIsAccepted(OrderAction action, OrderStatus status) {
        FleetOrder order = inStatus(status);

        OrderTransition transition = ACTIONS.get(action).apply(order, NOW);

        assertThat(transition.action()).isEqualTo(action);
        assertThat(transition.from()).isEqualTo(status);
        assertThat(order.status()).isEqualTo(transition.to());
    }

    static Stream<Arguments> legalTransitions() {
        return LEGAL.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(status -> Arguments.of(e.getKey(), status)));
    }

    @Test
    void terminalStatusesAreExactlyDeliveredAndCancelled() {
        assertThat(EnumSet.allOf(OrderStatus.class).stream().filter(OrderStatus::isTerminal))
                .containsExactlyInAnyOrder(DELIVERED, CANCELLED);
    }

    @Test
    void transitionsThatCarryAReasonRequireOne() {
        assertThatThrownBy(() -> inStatus(DELIVERING).failDelivery(" ", NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> inStatus(CREATED).cancel(null, NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> inStatus(ASSIGNMENT_PENDING).compensateAssignment("", NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> inStatus(CREATED).assign(" ", NOW)).isInstanceOf(IllegalArgumentException.class);
    }
}
