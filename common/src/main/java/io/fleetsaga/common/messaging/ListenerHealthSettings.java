package io.fleetsaga.common.messaging;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Health of the Kafka listeners ({@code fleetsaga.consumer.health.*}).
 *
 * @param maxPause a listener paused for longer than this is DOWN; a short pause (back-pressure) is not
 * @param checkInterval how often the listeners are sampled for the gauges and the pause clock; a pause is
 *     timed from the first sample that sees it, so it is detected at most this much late
 * @param optionalListeners ids of listeners that may legitimately be stopped (switched off on purpose): they
 *     are reported in health and metrics but never turn the health DOWN. Every other listener must run.
 */
@ConfigurationProperties("fleetsaga.consumer.health")
public record ListenerHealthSettings(
        @DefaultValue("1m") Duration maxPause,
        @DefaultValue("5s") Duration checkInterval,
        List<String> optionalListeners) {

    public ListenerHealthSettings {
        if (maxPause.isNegative() || checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException(
                    "fleetsaga.consumer.health.max-pause must not be negative and check-interval must be positive");
        }
        optionalListeners = optionalListeners == null ? List.of() : List.copyOf(optionalListeners);
    }
}
