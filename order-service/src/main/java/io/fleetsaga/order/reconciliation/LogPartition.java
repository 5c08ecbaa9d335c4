package io.fleetsaga.order.reconciliation;

/** One partition of a topic of the event log (without the broker client's types). */
public record LogPartition(String topic, int partition) {}
