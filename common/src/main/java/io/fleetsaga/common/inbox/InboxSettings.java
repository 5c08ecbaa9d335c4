package io.fleetsaga.common.inbox;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the inbox ({@code fleetsaga.inbox.*}).
 *
 * @param retention how long processed-message records are kept; a redelivery older than this is processed
 *     again, so it must comfortably exceed how long the broker may redeliver (and handlers also guard by
 *     version)
 * @param cleanupInterval how often old records are deleted
 */
@ConfigurationProperties("fleetsaga.inbox")
public record InboxSettings(
        @DefaultValue("14d") Duration retention,
        @DefaultValue("10m") Duration cleanupInterval) {}
