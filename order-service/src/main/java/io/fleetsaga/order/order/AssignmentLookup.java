package io.fleetsaga.order.order;

import java.util.Optional;

/**
 * Finds an order's latest assignment saga; implemented by the saga, read in the same transaction as the
 * order so that both are shown as of one moment.
 */
public interface AssignmentLookup {

    Optional<AssignmentSummary> latestFor(String orderId);
}
