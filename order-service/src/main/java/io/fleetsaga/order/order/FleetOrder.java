package io.fleetsaga.order.order;

import static io.fleetsaga.order.order.OrderStatus.ASSIGNED;
import static io.fleetsaga.order.order.OrderStatus.ASSIGNMENT_PENDING;
import static io.fleetsaga.order.order.OrderStatus.CANCELLED;
import static io.fleetsaga.order.order.OrderStatus.CREATED;
import static io.fleetsaga.order.order.OrderStatus.DELIVERED;
import static io.fleetsaga.order.order.OrderStatus.DELIVERING;
import static io.fleetsaga.order.order.OrderStatus.ON_HOLD;
import static io.fleetsaga.order.order.OrderStatus.RECEIVED;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A fleet order, the source of truth for its status, and its state machine:
 *
 * <pre>
 * CREATED ──assign──▶ ASSIGNMENT_PENDING ──confirmAssignment──▶ ASSIGNED ──pickUp──▶ DELIVERING ──deliver──▶ DELIVERED
 *    ▲                       │                                                          │
 *    └──compensateAssignment─┘                                                     failDelivery
 *                                                                                       ▼
 * RECEIVED ◀──receive──────────────────────────────────────────────────────────────── ON_HOLD
 * RECEIVED ──assign──▶ ASSIGNMENT_PENDING
 * any status but DELIVERED and CANCELLED (both terminal) ──cancel──▶ CANCELLED
 * </pre>
 *
 * <p>One method per transition, each guarded against the current status: an action the status does not
 * allow throws {@link IllegalTransitionException} and changes nothing. Each returns the {@link
 * OrderTransition} it made, which the application service records in the history and publishes. The
 * order's {@link #version()} is bumped by the persistence layer on every change ({@code @Version}), which
 * is also the optimistic lock of concurrent writers.
 *
 * <p>An order is on a task when it has a {@link #taskId()}: from {@code assign} on, until the assignment is
 * compensated, the order is received back at the hub or cancelled.
 */
@Entity
@Table(name = "fleet_order")
public class FleetOrder {

    @Id
    @Column(name = "id", length = 64)
    private String id;

    @Enumerated(EnumType.STRING)
    @Column(name = "status", nullable = false, length = 32)
    private OrderStatus status;

    @Column(name = "task_id", length = 64)
    private String taskId;

    @Column(name = "status_reason", length = 500)
    private String statusReason;

    @Version
    @Column(name = "version", nullable = false)
    private Long version;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected FleetOrder() {}

    private FleetOrder(String id, Instant now) {
        this.id = requireText(id, "id");
        this.status = CREATED;
        this.createdAt = Objects.requireNonNull(now, "now");
        this.updatedAt = now;
    }

    /** A new order in {@link OrderStatus#CREATED}. */
    public static FleetOrder create(String id, Instant now) {
        return new FleetOrder(id, now);
    }

    /** The creation as a transition, for the history. */
    public OrderTransition creation() {
        return new OrderTransition(OrderAction.CREATE, null, CREATED, null, createdAt);
    }

    /** The saga "assign order" starts: CREATED or RECEIVED → ASSIGNMENT_PENDING on {@code taskId}. */
    public OrderTransition assign(String taskId, Instant now) {
        requireText(taskId, "taskId");
        guard(OrderAction.ASSIGN, CREATED, RECEIVED);
        return change(OrderAction.ASSIGN, ASSIGNMENT_PENDING, taskId, null, now);
    }

    /** assignment-service linked the order to its task: ASSIGNMENT_PENDING → ASSIGNED. */
    public OrderTransition confirmAssignment(Instant now) {
        guard(OrderAction.CONFIRM_ASSIGNMENT, ASSIGNMENT_PENDING);
        return change(OrderAction.CONFIRM_ASSIGNMENT, ASSIGNED, taskId, null, now);
    }

    /**
     * The assignment failed (rejected, or no reply): ASSIGNMENT_PENDING → CREATED, off the task, with the
     * reason kept so the dispatcher sees why.
     */
    public OrderTransition compensateAssignment(String reason, Instant now) {
        requireText(reason, "reason");
        guard(OrderAction.COMPENSATE_ASSIGNMENT, ASSIGNMENT_PENDING);
        return change(OrderAction.COMPENSATE_ASSIGNMENT, CREATED, null, reason, now);
    }

    /** The courier picked the parcel up: ASSIGNED → DELIVERING. */
    public OrderTransition pickUp(Instant now) {
        guard(OrderAction.PICK_UP, ASSIGNED);
        return change(OrderAction.PICK_UP, DELIVERING, taskId, null, now);
    }

    /** Delivered to the recipient: DELIVERING → DELIVERED (terminal). */
    public OrderTransition deliver(Instant now) {
        guard(OrderAction.DELIVER, DELIVERING);
        return change(OrderAction.DELIVER, DELIVERED, taskId, null, now);
    }

    /** A failed delivery attempt, the parcel goes back to the hub: DELIVERING → ON_HOLD. */
    public OrderTransition failDelivery(String reason, Instant now) {
        requireText(reason, "reason");
        guard(OrderAction.FAIL_DELIVERY, DELIVERING);
        return change(OrderAction.FAIL_DELIVERY, ON_HOLD, taskId, reason, now);
    }

    /** The hub received the parcel back; it leaves its task and can be assigned again: ON_HOLD → RECEIVED. */
    public OrderTransition receive(Instant now) {
        guard(OrderAction.RECEIVE, ON_HOLD);
        return change(OrderAction.RECEIVE, RECEIVED, null, null, now);
    }

    /** Cancelled from any non-terminal status; a cancelled order is on no task. */
    public OrderTransition cancel(String reason, Instant now) {
        requireText(reason, "reason");
        if (status.isTerminal()) {
            throw new IllegalTransitionException(id, status, OrderAction.CANCEL);
        }
        return change(OrderAction.CANCEL, CANCELLED, null, reason, now);
    }

    private void guard(OrderAction action, OrderStatus... allowed) {
        if (!Arrays.asList(allowed).contains(status)) {
            throw new IllegalTransitionException(id, status, action);
        }
    }

    private OrderTransition change(OrderAction action, OrderStatus to, String newTaskId, String reason, Instant now) {
        Objects.requireNonNull(now, "now");
        OrderStatus from = status;
        status = to;
        taskId = newTaskId;
        statusReason = reason;
        updatedAt = now;
        return new OrderTransition(action, from, to, reason, now);
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    public String id() {
        return id;
    }

    public OrderStatus status() {
        return status;
    }

    public String taskId() {
        return taskId;
    }

    /** Why the order is in its current status, when that status has a reason (e.g. a rejected assignment). */
    public String statusReason() {
        return statusReason;
    }

    /** 0 for a new order; bumped by every persisted change. */
    public long version() {
        return version == null ? 0 : version;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }
}
