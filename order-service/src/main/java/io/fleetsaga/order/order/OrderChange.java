package io.fleetsaga.order.order;

import jakarta.annotation.Nullable;
import java.time.Instant;

/**
 * One entry of an order's history.
 *
 * @param version the order's version after the change
 */
public record OrderChange(
        long version,
        OrderAction action,
        @Nullable OrderStatus from,
        OrderStatus to,
        @Nullable String reason,
        Instant at) {}
