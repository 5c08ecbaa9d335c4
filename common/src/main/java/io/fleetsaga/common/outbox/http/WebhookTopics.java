package io.fleetsaga.common.outbox.http;

/**
 * Outbox topics that name an HTTP webhook instead of a Kafka topic: {@code webhook:<endpoint>}, where the
 * endpoint is a logical name mapped to a URL by {@code fleetsaga.outbox.webhooks.<endpoint>.url}. A Kafka
 * topic name cannot contain {@code ':'}, so the two can never be confused.
 */
public final class WebhookTopics {

    /** Prefix of every webhook topic. */
    public static final String PREFIX = "webhook:";

    private WebhookTopics() {}

    /** The outbox topic of the webhook endpoint {@code endpoint}, e.g. {@code webhook:courier}. */
    public static String of(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException("webhook endpoint name must not be blank");
        }
        return PREFIX + endpoint;
    }

    /** Whether rows of {@code topic} go to a webhook. */
    public static boolean isWebhook(String topic) {
        return topic != null && topic.startsWith(PREFIX);
    }

    /** The endpoint name of a webhook topic. */
    static String endpointOf(String topic) {
        if (!isWebhook(topic)) {
            throw new IllegalArgumentException(topic + " is not a webhook topic");
        }
        return topic.substring(PREFIX.length());
    }
}
