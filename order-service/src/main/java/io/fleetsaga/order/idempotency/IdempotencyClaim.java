package io.fleetsaga.order.idempotency;

/** What an idempotency key says about a request. */
public sealed interface IdempotencyClaim {

    /**
     * The key is new, or its earlier claim was abandoned with nothing committed under it: this request runs.
     *
     * @param tookOver whether an abandoned claim was taken over (rather than a new key claimed)
     */
    record Claimed(IdempotentRequest request, boolean tookOver) implements IdempotencyClaim {}

    /** The same request was answered before with a final outcome: replay the response, run nothing. */
    record Completed(StoredResponse response) implements IdempotencyClaim {}

    /** The same request is running right now elsewhere. */
    record InProgress() implements IdempotencyClaim {}

    /** The key was used for a different request (method, path or body). */
    record Mismatch(String method, String path) implements IdempotencyClaim {}
}
