package io.fleetsaga.order.reconciliation;

import java.util.List;

/**
 * One page of facts in key order.
 *
 * @param next the key to continue after, {@code null} when this was the last page
 */
public record FactPage(List<OrderFact> facts, String next) {

    public FactPage {
        facts = List.copyOf(facts);
    }
}
