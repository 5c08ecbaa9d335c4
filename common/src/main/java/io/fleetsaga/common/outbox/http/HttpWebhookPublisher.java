package io.fleetsaga.common.outbox.http;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.event.EventHeaders;
import io.fleetsaga.common.outbox.OutboxPublisher;
import io.fleetsaga.common.outbox.OutboxRecord;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Delivers outbox rows of {@code webhook:<endpoint>} topics by HTTP: {@code POST <url>} with the event payload
 * as the JSON body and the headers
 *
 * <ul>
 *   <li>{@code Idempotency-Key: <event id>} — the same for every attempt of one row: <b>receivers must
 *       deduplicate on it</b>;
 *   <li>{@code X-Event-Type: <event type>}, {@code X-Delivery-Attempt: <n>} (1, 2, …);
 *   <li>{@code traceparent} when the event carries W3C trace context.
 * </ul>
 *
 * <p><b>Delivery:</b> at least once, like every outbox row. Only a 2xx answer acknowledges. A receiver that is away
 * (a refused connection, a timeout, HTTP 408, 429 or 5xx) backs off the relay's lane and is probed until it answers
 * — however long that takes, nothing is parked; a receiver that refuses the call (another 4xx, a redirect, which is
 * not followed) gets the row parked at once ({@link WebhookDeliveryException}). A receiver that applied a call
 * whose answer was lost (a timeout) gets the same key again — so "exactly once" is the receiver's deduplication by
 * key, never a blind retry of a non-idempotent call (incident I-2). {@code X-Delivery-Attempt} counts the attempts
 * that counted against the row: a retry after a transport failure carries the same number again.
 *
 * <p><b>Bounded:</b> every call ends within the endpoint's {@code connect-timeout + request-timeout}, which must
 * stay below the relay's {@code publish-timeout} (checked here). No database transaction is open while calling.
 */
public final class HttpWebhookPublisher implements OutboxPublisher {

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String EVENT_TYPE = "X-Event-Type";
    public static final String DELIVERY_ATTEMPT = "X-Delivery-Attempt";

    private final Map<String, Target> targets = new HashMap<>();

    /**
     * @param settings the endpoints; those without a URL are left out (their rows are parked at once)
     * @param publishTimeout the relay's wait for one batch; every endpoint's timeouts must fit inside it
     */
    public HttpWebhookPublisher(WebhookSettings settings, Duration publishTimeout) {
        settings.webhooks().forEach((name, endpoint) -> {
            if (!endpoint.configured()) {
                return;
            }
            Duration bound = endpoint.connectTimeout().plus(endpoint.requestTimeout());
            if (bound.compareTo(publishTimeout) >= 0) {
                throw new IllegalArgumentException("fleetsaga.outbox.webhooks." + name
                        + ": connect-timeout + request-timeout (" + bound
                        + ") must stay below fleetsaga.outbox.publish-timeout (" + publishTimeout + ")");
            }
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(endpoint.connectTimeout())
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            targets.put(name, new Target(endpoint, client));
        });
    }

    @Override
    public CompletableFuture<?> publish(OutboxRecord record) {
        String name = WebhookTopics.endpointOf(record.topic());
        Target target = targets.get(name);
        if (target == null) {
            return CompletableFuture.failedFuture(WebhookDeliveryException.notConfigured(
                    name, "webhook endpoint '" + name + "' has no URL (fleetsaga.outbox.webhooks." + name + ".url)"));
        }
        EventEnvelope envelope = record.envelope();
        HttpRequest.Builder request = HttpRequest.newBuilder(target.endpoint().uri())
                .timeout(target.endpoint().requestTimeout())
                .header("Content-Type", "application/json")
                .header(IDEMPOTENCY_KEY, envelope.eventId().toString())
                .header(EVENT_TYPE, envelope.type())
                .header(DELIVERY_ATTEMPT, Integer.toString(record.attempt()))
                .POST(HttpRequest.BodyPublishers.ofString(envelope.payload(), StandardCharsets.UTF_8));
        if (envelope.traceparent() != null) {
            request.header(EventHeaders.TRACEPARENT, envelope.traceparent());
        }
        return target.client()
                .sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                .handle((response, failure) -> outcome(name, response, failure))
                .thenCompose(outcome -> outcome);
    }

    private static CompletableFuture<Integer> outcome(String name, HttpResponse<?> response, Throwable failure) {
        if (failure != null) {
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            return CompletableFuture.failedFuture(new WebhookDeliveryException(
                    name,
                    0,
                    "webhook " + name + " not delivered: " + cause.getClass().getSimpleName() + ": "
                            + cause.getMessage(),
                    cause));
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return CompletableFuture.completedFuture(status);
        }
        return CompletableFuture.failedFuture(
                new WebhookDeliveryException(name, status, "webhook " + name + " answered HTTP " + status, null));
    }

    private record Target(WebhookSettings.Endpoint endpoint, HttpClient client) {}
}
