package io.fleetsaga.common.outbox.http;

import io.fleetsaga.common.outbox.OutboxPublisher;
import io.fleetsaga.common.outbox.OutboxRecord;
import io.fleetsaga.common.outbox.PublishFailure;
import java.util.concurrent.CompletableFuture;

/**
 * Picks the transport by the row's topic: {@code webhook:<endpoint>} rows go to the webhook publisher, every
 * other row to the default transport (Kafka). Delivery, ordering and failure handling stay the relay's and are
 * the same for both: at least once, in order per {@code (aggregateType, aggregateId)}, lane backoff on transport
 * failures, parking of records that cannot be delivered.
 *
 * <p>Because ordering is per aggregate, a row that keeps failing holds back the later rows of its own aggregate
 * only. Side effects that must not delay business events (notifications) therefore use their own aggregate type,
 * so a failing receiver never holds back the Kafka events of the same business object.
 *
 * <p>The auto-configuration does not use it: it runs one relay per transport ({@link
 * io.fleetsaga.common.outbox.OutboxLane}) so that a slow receiver cannot slow Kafka. Use it for a single relay
 * over both transports (simpler, but the batch waits for its slowest item, and a receiver that is down backs off
 * the one lane, Kafka rows included).
 */
public final class RoutingOutboxPublisher implements OutboxPublisher {

    private final OutboxPublisher webhooks;
    private final OutboxPublisher others;

    public RoutingOutboxPublisher(OutboxPublisher webhooks, OutboxPublisher others) {
        this.webhooks = webhooks;
        this.others = others;
    }

    @Override
    public CompletableFuture<?> publish(OutboxRecord record) {
        return WebhookTopics.isWebhook(record.topic()) ? webhooks.publish(record) : others.publish(record);
    }

    @Override
    public PublishFailure classify(OutboxRecord record, Throwable failure) {
        return WebhookTopics.isWebhook(record.topic())
                ? webhooks.classify(record, failure)
                : others.classify(record, failure);
    }
}
