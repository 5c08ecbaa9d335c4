package io.fleetsaga.common.deadletter;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the dead-letter topics and their ops API ({@code fleetsaga.consumer.dead-letters.*}). The topics'
 * suffix is {@code fleetsaga.consumer.dead-letter-suffix}.
 *
 * @param retention how long the broker keeps a dead letter ({@code retention.ms} of every dead-letter topic): long
 *     enough to notice, fix the cause and replay — a dead letter the broker deleted is lost. A topic whose
 *     retention is shorter (e.g. auto-created with the broker's default of 7 days) is raised to it at startup; a
 *     longer one, or infinite, is left alone
 * @param manageTopics create missing dead-letter topics and raise their retention at startup (retried with every
 *     refresh until it succeeds); off where topics are managed elsewhere (the admin client then needs no rights to
 *     create topics or alter their configuration)
 * @param refreshInterval how often the {@code kafka_dead_letters_pending} gauges are read from the broker
 * @param timeout bound of every call this makes to the broker (list offsets, read, publish a replay)
 * @param previewBytes how many bytes of a dead letter's value the ops API shows
 */
@ConfigurationProperties("fleetsaga.consumer.dead-letters")
public record DeadLetterSettings(
        @DefaultValue("30d") Duration retention,
        @DefaultValue("true") boolean manageTopics,
        @DefaultValue("30s") Duration refreshInterval,
        @DefaultValue("10s") Duration timeout,
        @DefaultValue("512") int previewBytes) {

    public DeadLetterSettings {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("fleetsaga.consumer.dead-letters.retention must be positive");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("fleetsaga.consumer.dead-letters.timeout must be positive");
        }
        if (previewBytes < 0 || previewBytes > 65536) {
            throw new IllegalArgumentException("fleetsaga.consumer.dead-letters.preview-bytes must be 0 to 65536");
        }
    }
}
