package io.fleetsaga.common.outbox;

import io.fleetsaga.common.retry.BackoffPolicy;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the outbox ({@code fleetsaga.outbox.*}).
 *
 * @param relayEnabled whether this instance runs a relay; several instances may, they share the work
 * @param pollInterval pause between polls when the previous poll found nothing to publish
 * @param batchSize rows claimed per poll by the webhook lane (and any relay built on these settings); the Kafka lane
 *     claims {@code kafka.batch-size}
 * @param claimTimeout how long a claim protects a row from other relays; must exceed the publish timeout
 * @param publishTimeout how long the relay waits for the broker's acknowledgements of one batch
 * @param retention how long sent rows are kept before cleanup
 * @param cleanupInterval how often sent rows are cleaned up
 * @param statsInterval how often the backlog gauges are refreshed from the database
 * @param retry backoff between the attempts of a record whose failure is not recognised, and the number of such
 *     attempts before it is parked (transport failures never count, record failures park at once: {@link
 *     PublishFailure})
 * @param laneBackoff backoff of a whole lane after a transport failure (broker or receiver away): the delay before
 *     each probe
 * @param kafka bounds of the relay's Kafka producer
 */
@ConfigurationProperties("fleetsaga.outbox")
public record OutboxSettings(
        @DefaultValue("true") boolean relayEnabled,
        @DefaultValue("200ms") Duration pollInterval,
        @DefaultValue("100") int batchSize,
        @DefaultValue("60s") Duration claimTimeout,
        @DefaultValue("20s") Duration publishTimeout,
        @DefaultValue("7d") Duration retention,
        @DefaultValue("10m") Duration cleanupInterval,
        @DefaultValue("5s") Duration statsInterval,
        @DefaultValue Retry retry,
        @DefaultValue Backoff laneBackoff,
        @DefaultValue Kafka kafka) {

    public OutboxSettings {
        if (batchSize < 1) {
            throw new IllegalArgumentException("fleetsaga.outbox.batch-size must be at least 1");
        }
        if (claimTimeout.compareTo(publishTimeout) <= 0) {
            throw new IllegalArgumentException(
                    "fleetsaga.outbox.claim-timeout must exceed fleetsaga.outbox.publish-timeout");
        }
        if (publishTimeout.compareTo(kafka.deliveryTimeout()) <= 0) {
            throw new IllegalArgumentException(
                    "fleetsaga.outbox.publish-timeout must exceed fleetsaga.outbox.kafka.delivery-timeout");
        }
    }

    /**
     * Bounds of the relay's producer (incident I-4: a broker outage makes sends fail fast, not hang).
     *
     * @param maxBlock bound of {@code send()} blocking on metadata or a full buffer ({@code max.block.ms})
     * @param deliveryTimeout bound from send to acknowledgement or failure ({@code delivery.timeout.ms})
     * @param batchSize rows the Kafka lane claims per poll: its cost is a few statements per batch, so a larger batch
     *     drains a backlog faster (docs/benchmarks.md, "Relay against peers": 500 drained 2.7× faster than 100); a
     *     batch is still acknowledged within {@code delivery-timeout}
     */
    public record Kafka(
            @DefaultValue("5s") Duration maxBlock,
            @DefaultValue("15s") Duration deliveryTimeout,
            @DefaultValue("500") int batchSize) {

        public Kafka {
            if (batchSize < 1) {
                throw new IllegalArgumentException("fleetsaga.outbox.kafka.batch-size must be at least 1");
            }
        }
    }

    /** These settings with another {@link #batchSize()}: the Kafka lane's relay runs with {@code kafka.batchSize}. */
    public OutboxSettings withBatchSize(int rows) {
        return new OutboxSettings(
                relayEnabled,
                pollInterval,
                rows,
                claimTimeout,
                publishTimeout,
                retention,
                cleanupInterval,
                statsInterval,
                retry,
                laneBackoff,
                kafka);
    }

    /**
     * Backoff of a lane whose transport is away (full jitter, exponential, capped). The cap bounds both the cost
     * of an outage (one probe per step) and the delay between the transport's return and the lane's resumption.
     *
     * @param initialDelay upper bound of the delay before the first probe
     * @param multiplier growth per failed probe
     * @param maxDelay cap of the delay between probes
     */
    public record Backoff(
            @DefaultValue("500ms") Duration initialDelay,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("30s") Duration maxDelay) {

        BackoffPolicy policy() {
            return new BackoffPolicy(initialDelay, multiplier, maxDelay, Integer.MAX_VALUE);
        }
    }

    /**
     * Retry settings of the relay for failures that are not recognised ({@link PublishFailure.Kind#UNKNOWN}).
     *
     * @param initialDelay upper bound of the first retry delay
     * @param multiplier growth per attempt
     * @param maxDelay cap of the delay
     * @param maxAttempts attempts before a row whose failures are not recognised is parked
     */
    public record Retry(
            @DefaultValue("500ms") Duration initialDelay,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("5m") Duration maxDelay,
            @DefaultValue("12") int maxAttempts) {}
}
