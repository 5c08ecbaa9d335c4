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
 * @param abandonAfter after how long an unfinished key (its instance died mid-request) may be taken over
 *     by a retry; must exceed the longest request
 * @param maxBodySize largest request body accepted with a key
 */
@ConfigurationProperties("fleetsaga.idempotency")
public record IdempotencySettings(
        @DefaultValue("24h") Duration retention,
        @DefaultValue("10m") Duration cleanupInterval,
        @DefaultValue("5s") Duration inProgressWait,
        @DefaultValue("1m") Duration abandonAfter,
        @DefaultValue("1048576") int maxBodySize) {}
