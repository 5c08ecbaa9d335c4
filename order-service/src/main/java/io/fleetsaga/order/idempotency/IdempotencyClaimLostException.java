package io.fleetsaga.order.idempotency;

/**
 * The request's claim on its idempotency key was taken over by a retry (it ran longer than {@code abandon-after})
 * or the key is gone: its transaction must not commit, because the retry runs — or ran — the same request.
 * Thrown inside that transaction, so it rolls back; the caller is told the request is in progress (409,
 * {@code Retry-After}) and its retry gets the other request's response.
 */
public class IdempotencyClaimLostException extends RuntimeException {

    public IdempotencyClaimLostException(IdempotentRequest request) {
        super("the claim on idempotency key '" + request.key() + "' was taken over by another request with this key");
    }
}
