package io.fleetsaga.order.order;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One change of an order, written in the same transaction as the change; never updated. */
@Entity
@Table(name = "order_history")
class OrderHistoryEntry {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    @Column(name = "id")
    private Long id;

    @Column(name = "order_id", nullable = false, length = 64)
    private String orderId;

    @Column(name = "version", nullable = false)
    private long version;

    @Enumerated(EnumType.STRING)
    @Column(name = "from_status", length = 32)
    private OrderStatus fromStatus;

    @Enumerated(EnumType.STRING)
    @Column(name = "to_status", nullable = false, length = 32)
    private OrderStatus toStatus;

    @Enumerated(EnumType.STRING)
    @Column(name = "action", nullable = false, length = 32)
    private OrderAction action;

    @Column(name = "reason", length = 500)
    private String reason;

    @Column(name = "occurred_at", nullable = false)
    private Instant occurredAt;

    protected OrderHistoryEntry() {}

    OrderHistoryEntry(String orderId, long version, OrderTransition transition) {
        this.orderId = orderId;
        this.version = version;
        this.fromStatus = transition.from();
        this.toStatus = transition.to();
        this.action = transition.action();
        this.reason = transition.reason();
        this.occurredAt = transition.at();
    }

    OrderChange toChange() {
        return new OrderChange(version, action, fromStatus, toStatus, reason, occurredAt);
    }
}
