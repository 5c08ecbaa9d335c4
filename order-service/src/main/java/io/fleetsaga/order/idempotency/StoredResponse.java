package io.fleetsaga.order.idempotency;

/**
 * The final response to a request with an idempotency key, replayed for repetitions: stored in the transaction of
 * the request's effect (order commands), or after the request when it committed nothing (a final 4xx).
 */
public record StoredResponse(int status, String contentType, String etag, String location, byte[] body) {}
