package io.fleetsaga.order.idempotency;

/** The first response to a request with an idempotency key, replayed for repetitions. */
public record StoredResponse(int status, String contentType, String etag, String location, byte[] body) {}
