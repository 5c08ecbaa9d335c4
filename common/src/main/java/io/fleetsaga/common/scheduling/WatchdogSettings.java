package io.fleetsaga.common.scheduling;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The background-task watchdog ({@code fleetsaga.watchdog.*}).
 *
 * @param checkInterval how often the loops are looked at: a loop that stalls or resumes is logged, and a new loop
 *     gets its metrics, at most this much late (the metrics and health themselves are computed when read)
 * @param bounds per task name, a bound that replaces the one the loop declares (e.g. {@code
 *     outbox-relay-kafka: 2m}); see the README for each loop's default
 */
@ConfigurationProperties("fleetsaga.watchdog")
public record WatchdogSettings(@DefaultValue("5s") Duration checkInterval, Map<String, Duration> bounds) {

    public WatchdogSettings {
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("fleetsaga.watchdog.check-interval must be positive");
        }
        bounds = bounds == null ? Map.of() : Map.copyOf(bounds);
        bounds.forEach((task, bound) -> {
            if (bound.isNegative() || bound.isZero()) {
                throw new IllegalArgumentException("fleetsaga.watchdog.bounds." + task + " must be positive");
            }
        });
    }
}
