package io.fleetsaga.bench;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The orders a workload changes, each with the status the load generator last saw. A client takes an order from the
 * head, sends the one change its status allows and puts it back at the tail: an order is in one client's hands at a
 * time (no two concurrent writers of one order, so no version conflicts), and the longest possible time passes
 * before the same order comes round again (so the saga a re-assignment started has usually finished by then).
 *
 * <p>The cycle: {@code ASSIGNED → pickup → DELIVERING → delivery-failure → ON_HOLD → receipt → RECEIVED → assignment
 * (to the order's own task) → ASSIGNMENT_PENDING → (the saga: OrderLinked) → ASSIGNED}. A {@code 409} answer names
 * the current status, which replaces the one held (e.g. a pickup of an order whose saga has not finished).
 */
public final class OrderPool {

    /** One order and what the load generator knows about it. */
    public static final class Slot {
        final String orderId;
        final String taskId;
        volatile String status;

        Slot(String orderId, String taskId, String status) {
            this.orderId = orderId;
            this.taskId = taskId;
            this.status = status;
        }

        /** The request for the next change: path below the order and body ({@code null}: none). */
        Change next() {
            return switch (status) {
                case "ASSIGNED", "ASSIGNMENT_PENDING" -> new Change("pickup", null, "DELIVERING");
                case "DELIVERING" -> new Change("delivery-failure", "{\"reason\":\"bench\"}", "ON_HOLD");
                case "ON_HOLD" -> new Change("receipt", null, "RECEIVED");
                default -> new Change("assignment", "{\"taskId\":\"" + taskId + "\"}", "ASSIGNMENT_PENDING");
            };
        }
    }

    /** A status change request and the status it leads to when accepted. */
    record Change(String action, String body, String then) {}

    private final String name;
    private final ConcurrentLinkedQueue<Slot> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong starved = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public OrderPool(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void add(String orderId, String taskId, String status) {
        queue.add(new Slot(orderId, taskId, status));
    }

    public int size() {
        return queue.size();
    }

    Slot take() {
        Slot slot = queue.poll();
        if (slot == null) {
            starved.incrementAndGet();
        }
        return slot;
    }

    /** Puts the order back after an answer: {@code code} 0 when there was none (connection failure, timeout). */
    void giveBack(Slot slot, Change change, int code, String currentStatus) {
        if (code == 200 || code == 202) {
            slot.status = change.then();
            accepted.incrementAndGet();
        } else if (code == 409) {
            if (currentStatus != null && !currentStatus.isEmpty()) {
                slot.status = currentStatus;
            }
            conflicts.incrementAndGet();
        } else {
            failed.incrementAndGet();
        }
        queue.add(slot);
    }

    /** Counters since the last call: accepted, 409, other failures, no order free. */
    public Counts drainCounts() {
        return new Counts(accepted.getAndSet(0), conflicts.getAndSet(0), failed.getAndSet(0), starved.getAndSet(0));
    }

    public List<String> orderIds() {
        return queue.stream().map(s -> s.orderId).toList();
    }

    /** Requests per outcome in one step. */
    public record Counts(long accepted, long conflicts, long failed, long starved) {}
}
