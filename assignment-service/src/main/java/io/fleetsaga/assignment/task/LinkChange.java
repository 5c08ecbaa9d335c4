package io.fleetsaga.assignment.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What one newer order state does to the order's link, and the counter deltas that follow from the link
 * <em>before</em> and the link <em>after</em>. Pure: the same previous link and state always give the
 * same change, which is why duplicates and reordering converge.
 *
 * <ul>
 *   <li>{@code ASSIGNED, DELIVERING, DELIVERED, ON_HOLD} with a task id: the order is on that task — the
 *       link is created (the repair path: no capacity check, the order's truth wins), updated, or moved
 *       from another task.
 *   <li>{@code ASSIGNMENT_PENDING}: keeps a link to the same task (one the command created), never creates
 *       one; a link to another task is released.
 *   <li>{@code CREATED, RECEIVED, CANCELLED}, or a status without a task id: the order is released.
 * </ul>
 *
 * @param before the link held before, if any
 * @param after the link implied by the new state, if any
 * @param deltas non-zero counter deltas per task, ordered by task id (the order in which task rows are
 *     locked, so two changes never wait for each other's rows in opposite order)
 */
record LinkChange(Optional<OrderLink> before, Optional<OrderLink> after, List<CounterDelta> deltas) {

    LinkChange {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        deltas = List.copyOf(deltas);
    }

    static LinkChange of(Optional<OrderLink> before, OrderState state) {
        return between(before, implied(before, state));
    }

    /** The link an accepted assignment command creates: the pending order on the commanded task. */
    static LinkChange linkedByCommand(OrderState pending) {
        return between(
                Optional.empty(),
                Optional.of(new OrderLink(pending.orderId(), pending.taskId(), pending.status(), pending.version())));
    }

    /** The same change, except that the order is not linked to {@code taskId} (a task this service does not know). */
    LinkChange withoutLinkTo(String taskId) {
        if (after.isEmpty() || !after.get().taskId().equals(taskId)) {
            return this;
        }
        return between(before, Optional.empty());
    }

    /**
     * The tasks the order left and joined by this change, removal first: one entry per task whose membership
     * changed, none when the order stays on its task (or stays on none).
     *
     * @param cause the order state (or accepted command) that caused the change
     * @param courierOfTask the courier of a task this change touches
     */
    List<TaskMembershipChange> membershipChanges(OrderState cause, Function<String, String> courierOfTask) {
        Optional<String> from = before.map(OrderLink::taskId);
        Optional<String> to = after.map(OrderLink::taskId);
        List<TaskMembershipChange> changes = new ArrayList<>(2);
        if (from.isPresent() && !from.equals(to)) {
            changes.add(membership(TaskMembershipChange.Change.ORDER_REMOVED, from.get(), cause, courierOfTask));
        }
        if (to.isPresent() && !to.equals(from)) {
            changes.add(membership(TaskMembershipChange.Change.ORDER_ADDED, to.get(), cause, courierOfTask));
        }
        return List.copyOf(changes);
    }

    private static TaskMembershipChange membership(
            TaskMembershipChange.Change change,
            String taskId,
            OrderState cause,
            Function<String, String> courierOfTask) {
        return new TaskMembershipChange(
                change, courierOfTask.apply(taskId), taskId, cause.orderId(), cause.status(), cause.version());
    }

    boolean moves() {
        return before.isPresent()
                && after.isPresent()
                && !before.get().taskId().equals(after.get().taskId());
    }

    private static Optional<OrderLink> implied(Optional<OrderLink> before, OrderState state) {
        if (state.taskId() != null && state.status().isOnTask()) {
            return Optional.of(new OrderLink(state.orderId(), state.taskId(), state.status(), state.version()));
        }
        if (state.status() == OrderStatus.ASSIGNMENT_PENDING
                && before.isPresent()
                && before.get().taskId().equals(state.taskId())) {
            return Optional.of(
                    new OrderLink(state.orderId(), state.taskId(), OrderStatus.ASSIGNMENT_PENDING, state.version()));
        }
        return Optional.empty();
    }

    private static LinkChange between(Optional<OrderLink> before, Optional<OrderLink> after) {
        Map<String, int[]> byTask = new TreeMap<>();
        before.ifPresent(link -> add(byTask, link, -1));
        after.ifPresent(link -> add(byTask, link, +1));
        List<CounterDelta> deltas = new ArrayList<>();
        byTask.forEach((taskId, d) -> {
            CounterDelta delta = new CounterDelta(taskId, d[0], d[1]);
            if (!delta.isZero()) {
                deltas.add(delta);
            }
        });
        return new LinkChange(before, after, deltas);
    }

    private static void add(Map<String, int[]> byTask, OrderLink link, int sign) {
        int[] d = byTask.computeIfAbsent(link.taskId(), id -> new int[2]);
        d[0] += sign * link.assignedWeight();
        d[1] += sign * link.deliveredWeight();
    }
}
