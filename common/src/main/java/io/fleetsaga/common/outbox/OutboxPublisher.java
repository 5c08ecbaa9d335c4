package io.fleetsaga.common.outbox;

import java.util.concurrent.CompletableFuture;

/**
 * Transport that hands an outbox record to the broker.
 *
 * <p>The returned future must complete only when the broker has acknowledged the record (for Kafka:
 * {@code acks=all}), and must complete exceptionally within a bounded time otherwise. The relay marks
 * a row sent only after this future completed normally.
 */
public interface OutboxPublisher {

    CompletableFuture<?> publish(OutboxRecord record);
}
