package io.fleetsaga.order.order;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Objects;

/**
 * A fleet order, the source of truth for its status. Every change bumps {@link #version()}, which is
 * carried by the events it causes so that consumers apply only newer state.
 *
 * <p>The walking skeleton only creates orders; the state machine arrives with the order workflow saga.
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

    @Version
    @Column(name = "version", nullable = false)
    private long version;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected FleetOrder() {}

    private FleetOrder(String id, Instant now) {
        this.id = Objects.requireNonNull(id, "id");
        this.status = OrderStatus.CREATED;
        this.createdAt = now;
        this.updatedAt = now;
    }

    /** A new order in {@link OrderStatus#CREATED}. */
    public static FleetOrder create(String id, Instant now) {
        return new FleetOrder(id, now);
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

    public long version() {
        return version;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }
}
