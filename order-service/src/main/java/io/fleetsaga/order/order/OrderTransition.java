package io.fleetsaga.order.order;

import java.time.Instant;

/**
 * One change of an order's status, as returned by the transition methods of {@link FleetOrder}.
 *
 * @param action what changed the order
 * @param from status before, {@code null} for the creation
 * @param to status after
 * @param reason why, for the transitions that carry one (rejection, failed delivery, cancellation)
 * @param at when
 */
public record OrderTransition(OrderAction action, OrderStatus from, OrderStatus to, String reason, Instant at) {}
