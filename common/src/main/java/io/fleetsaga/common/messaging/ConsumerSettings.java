package io.fleetsaga.common.messaging;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the Kafka consumers ({@code fleetsaga.consumer.*}).
 *
 * @param retry backoff between delivery attempts of a failing record, and attempts before dead-lettering
 * @param deadLetterSuffix suffix of the dead-letter topic of each topic
 */
@ConfigurationProperties("fleetsaga.consumer")
public record ConsumerSettings(
        @DefaultValue Retry retry, @DefaultValue(".DLT") String deadLetterSuffix) {

    /**
     * @param initialDelay upper bound of the first retry delay
     * @param multiplier growth per attempt
     * @param maxDelay cap of the delay
     * @param maxAttempts delivery attempts before the record goes to the dead-letter topic
     */
    public record Retry(
            @DefaultValue("100ms") Duration initialDelay,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("5s") Duration maxDelay,
            @DefaultValue("8") int maxAttempts) {}
}
