package io.fleetsaga.assignment.reconciliation;

import java.util.List;

/**
 * One page of link facts in key order.
 *
 * @param next the order id to continue after when the page is full (there may be more), else {@code null}
 */
public record LinkFactPage(List<LinkFact> facts, String next) {

    public LinkFactPage {
        facts = List.copyOf(facts);
    }
}
