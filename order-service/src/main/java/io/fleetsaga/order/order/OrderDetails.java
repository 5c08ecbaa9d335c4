package io.fleetsaga.order.order;

import java.util.List;

/** An order with its latest assignment saga (if any) and its history, read in one transaction. */
public record OrderDetails(OrderSnapshot order, AssignmentSummary assignment, List<OrderChange> history) {}
