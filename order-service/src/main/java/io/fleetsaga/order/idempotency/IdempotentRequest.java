package io.fleetsaga.order.idempotency;

/**
 * A request that holds its idempotency key: the caller's key space ({@code principal}), the key, the request's
 * fingerprint (SHA-256 of method, path with query and body) and the token of this one claim. Whatever the request
 * stores under the key names the token, so that a request whose claim was taken over stores nothing.
 */
public record IdempotentRequest(String principal, String key, String requestHash, String claimToken) {}
