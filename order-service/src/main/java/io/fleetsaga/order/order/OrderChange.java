package io.fleetsaga.order.order;

import java.time.Instant;

/**
 * One entry of an order's history.
 *
 * @param version the order's version after the change
 */
public record OrderChange(
        long version, OrderAction action, OrderStatus from, OrderStatus to, String reason, Instant at) {}
