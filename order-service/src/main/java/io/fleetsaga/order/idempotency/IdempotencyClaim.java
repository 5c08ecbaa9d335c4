package io.fleetsaga.order.idempotency;

/** What an idempotency key says about a request. */
public sealed interface IdempotencyClaim {

    /** The key is new (or abandoned): this request runs and its response is stored. */
    record Claimed() implements IdempotencyClaim {}

    /** The same request was answered before: replay the response, run nothing. */
    record Completed(StoredResponse response) implements IdempotencyClaim {}

    /** The same request is running right now elsewhere. */
    record InProgress() implements IdempotencyClaim {}

    /** The key was used for a different request (method, path or body). */
    record Mismatch(String method, String path) implements IdempotencyClaim {}
}
