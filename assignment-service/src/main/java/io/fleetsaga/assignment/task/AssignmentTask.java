package io.fleetsaga.assignment.task;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A courier's batch of orders: capacity, status, and the counters of its links.
 *
 * <p>The aggregate decides; the repository persists. Its counters are a snapshot of the row as read (locked)
 * in the current transaction; they change only through atomic increments in the database, so this object
 * never writes them back.
 */
public final class AssignmentTask {

    private final String id;
    private final String courierId;
    private final int capacity;
    private TaskStatus status;
    private final int assignedCount;
    private final int deliveredCount;
    private final Instant createdAt;
    private final Instant updatedAt;
    private final Instant closedAt;

    AssignmentTask(
            String id,
            String courierId,
            int capacity,
            TaskStatus status,
            int assignedCount,
            int deliveredCount,
            Instant createdAt,
            Instant updatedAt,
            Instant closedAt) {
        this.id = Objects.requireNonNull(id, "id");
        this.courierId = Objects.requireNonNull(courierId, "courierId");
        this.capacity = capacity;
        this.status = Objects.requireNonNull(status, "status");
        this.assignedCount = assignedCount;
        this.deliveredCount = deliveredCount;
        this.createdAt = createdAt;
        this.updatedAt = updatedAt;
        this.closedAt = closedAt;
    }

    /**
     * Whether a new order may be linked: the task must be open and below its capacity. Must be asked of a
     * task read with a row lock in the transaction that then links, or the answer may be stale.
     *
     * @return empty when the order may be linked, else why not
     */
    Optional<AssignmentDecision.Rejected> refusal(String orderId) {
        if (status == TaskStatus.CLOSED) {
            return Optional.of(new AssignmentDecision.Rejected(
                    orderId, id, RejectionReason.TASK_CLOSED, "task " + id + " is closed"));
        }
        if (assignedCount >= capacity) {
            return Optional.of(new AssignmentDecision.Rejected(
                    orderId,
                    id,
                    RejectionReason.TASK_FULL,
                    "task " + id + " has " + assignedCount + " of " + capacity + " orders"));
        }
        return Optional.empty();
    }

    /**
     * Closes the task: it refuses new orders from now on and keeps its links. The repository records the
     * closing time from the database clock.
     *
     * @return whether the task was open (closing a closed task changes nothing)
     */
    boolean close() {
        if (status == TaskStatus.CLOSED) {
            return false;
        }
        status = TaskStatus.CLOSED;
        return true;
    }

    /** Whether the task has the given attributes (a repeated create with the same id is then a no-op). */
    boolean isSameAs(String courierId, int capacity) {
        return this.courierId.equals(courierId) && this.capacity == capacity;
    }

    public String id() {
        return id;
    }

    public String courierId() {
        return courierId;
    }

    public int capacity() {
        return capacity;
    }

    public TaskStatus status() {
        return status;
    }

    public int assignedCount() {
        return assignedCount;
    }

    public int deliveredCount() {
        return deliveredCount;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    public Instant closedAt() {
        return closedAt;
    }
}
