package io.fleetsaga.common.outbox.http;

import io.fleetsaga.common.outbox.PublishFailure;

/**
 * A webhook call that did not end with a 2xx answer: the receiver refused or failed, did not answer in time,
 * could not be reached, or the endpoint has no URL. The message names the endpoint, never its URL.
 *
 * <p>Whose fault it is ({@link PublishFailure}):
 *
 * <ul>
 *   <li>transport — no answer (connect or request timeout, refused or reset connection) or HTTP 408, 429, 5xx: the
 *       receiver is away or overloaded; the relay's lane backs off and the row keeps its attempts;
 *   <li>record — any other answer (4xx, or a 3xx, which is never followed): the receiver refuses this call, a
 *       retry cannot change that; and an endpoint without URL, which no retry can reach. The row is parked at once
 *       and requeued by ops once the receiver or the configuration is fixed (by reason, e.g. {@code HTTP 400}).
 * </ul>
 */
public class WebhookDeliveryException extends RuntimeException implements PublishFailure.Classified {

    /** Reason of a row whose endpoint has no URL. */
    public static final String NOT_CONFIGURED = "webhook endpoint without URL";

    private final String endpoint;
    private final int status;
    private final transient PublishFailure publishFailure;

    WebhookDeliveryException(String endpoint, int status, String message, Throwable cause) {
        super(message, cause);
        this.endpoint = endpoint;
        this.status = status;
        this.publishFailure = classify(status, cause);
    }

    private WebhookDeliveryException(String endpoint, String message) {
        super(message);
        this.endpoint = endpoint;
        this.status = 0;
        this.publishFailure = PublishFailure.record(NOT_CONFIGURED);
    }

    /** A row for an endpoint that has no URL. */
    static WebhookDeliveryException notConfigured(String endpoint, String message) {
        return new WebhookDeliveryException(endpoint, message);
    }

    private static PublishFailure classify(int status, Throwable cause) {
        if (status == 0) {
            return PublishFailure.transport(
                    cause == null ? "no answer" : cause.getClass().getSimpleName());
        }
        String reason = "HTTP " + status;
        return status == 408 || status == 429 || status >= 500
                ? PublishFailure.transport(reason)
                : PublishFailure.record(reason);
    }

    @Override
    public PublishFailure publishFailure() {
        return publishFailure;
    }

    /** The logical endpoint name. */
    public String endpoint() {
        return endpoint;
    }

    /** The HTTP status the receiver answered, or 0 when there was no answer. */
    public int status() {
        return status;
    }
}
