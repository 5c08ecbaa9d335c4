package io.fleetsaga.order.idempotency;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the {@code Idempotency-Key} handling ({@code fleetsaga.idempotency.*}).
 *
 * @param retention how long a key and its stored response are kept (a retry after that runs again)
 * @param cleanupInterval how often expired keys are deleted
 * @param inProgressWait how long a request waits for a concurrent request with the same key to finish
 *     before it is answered 409 "in progress"
 * @param abandonAfter after how long a key still in progress (its instance died or stalled before the request
 *     committed) may be taken over by a retry. For the order commands safe at any value — nothing is committed
 *     under a key in progress, and a request taken over while still running rolls back — but a request slower
 *     than this is answered 409 "in progress" once taken over, so keep it above the longest request (ops
 *     commands store their response after their transaction: docs/order-api.md)
 * @param maxBodySize largest request body accepted with a key
 */
@ConfigurationProperties("fleetsaga.idempotency")
public record IdempotencySettings(
        @DefaultValue("24h") Duration retention,
        @DefaultValue("10m") Duration cleanupInterval,
        @DefaultValue("5s") Duration inProgressWait,
        @DefaultValue("1m") Duration abandonAfter,
        @DefaultValue("1048576") int maxBodySize) {}
