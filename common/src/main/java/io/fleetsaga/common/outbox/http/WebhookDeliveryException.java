package io.fleetsaga.common.outbox.http;

/**
 * A webhook call that did not end with a 2xx answer: the receiver refused or failed, did not answer in time,
 * could not be reached, or the endpoint has no URL. The relay records it on the row and retries with backoff,
 * then parks the row. The message names the endpoint, never its URL.
 */
public class WebhookDeliveryException extends RuntimeException {

    private final String endpoint;
    private final int status;

    WebhookDeliveryException(String endpoint, int status, String message, Throwable cause) {
        super(message, cause);
        this.endpoint = endpoint;
        this.status = status;
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
