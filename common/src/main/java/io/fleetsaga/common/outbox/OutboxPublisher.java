package io.fleetsaga.common.outbox;

import java.util.concurrent.CompletableFuture;

/**
 * Transport that hands an outbox record to the broker (or, for {@code webhook:*} topics, to an HTTP receiver).
 *
 * <p>The returned future must complete only when the broker has acknowledged the record (for Kafka:
 * {@code acks=all}; for a webhook: a 2xx answer), and must complete exceptionally within a bounded time
 * otherwise. The relay marks a row sent only after this future completed normally.
 */
public interface OutboxPublisher {

    CompletableFuture<?> publish(OutboxRecord record);

    /**
     * Whose fault a failed attempt of {@code record} is: a transport knows its own exceptions best. The relay
     * classifies its own publish timeout as {@link PublishFailure.Kind#TRANSPORT} before asking. The default
     * applies the rules every transport shares ({@link PublishFailure#classify(Throwable)}). A publisher that
     * decorates another must delegate this method too, or the transport's own rules are lost.
     */
    default PublishFailure classify(OutboxRecord record, Throwable failure) {
        return PublishFailure.classify(failure);
    }
}
