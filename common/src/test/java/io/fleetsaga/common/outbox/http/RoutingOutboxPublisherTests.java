package io.fleetsaga.common.outbox.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.OutboxPublisher;
import io.fleetsaga.common.outbox.OutboxRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RoutingOutboxPublisherTests {

    final Recording webhooks = new Recording();
    final Recording kafka = new Recording();
    final RoutingOutboxPublisher router = new RoutingOutboxPublisher(webhooks, kafka);

    @Test
    void webhookTopicsGoToTheWebhookPublisherAndEverythingElseToTheDefault() {
        router.publish(record("webhook:courier"));
        router.publish(record("fleet.assignment.events"));
        router.publish(record("webhooks.audit")); // no colon: a Kafka topic

        assertThat(webhooks.topics).containsExactly("webhook:courier");
        assertThat(kafka.topics).containsExactly("fleet.assignment.events", "webhooks.audit");
    }

    @Test
    void aWebhookTopicNamesItsEndpoint() {
        assertThat(WebhookTopics.of("courier")).isEqualTo("webhook:courier");
        assertThat(WebhookTopics.endpointOf("webhook:courier")).isEqualTo("courier");
        assertThat(WebhookTopics.isWebhook("fleet.order.events")).isFalse();
    }

    private static OutboxRecord record(String topic) {
        return new OutboxRecord(1, topic, EventEnvelope.of("T", "A", "a-1", null, "{}"), 1);
    }

    static final class Recording implements OutboxPublisher {
        final List<String> topics = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<?> publish(OutboxRecord record) {
            topics.add(record.topic());
            return CompletableFuture.completedFuture(null);
        }
    }
}
