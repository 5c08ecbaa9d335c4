package io.fleetsaga.common.outbox;

import java.time.Instant;
import java.util.UUID;

/**
 * A parked outbox row, as shown to ops.
 *
 * @param attempts the attempts that counted against the row (transport failures never count)
 * @param lastError the last failure, exception and message
 * @param failureKind whose fault the last failure was ({@link PublishFailure.Kind}); {@code null} for rows parked
 *     before the kind was recorded
 * @param failureReason the short, stable reason of the last failure ({@link PublishFailure#reason()}), what bulk
 *     requeue filters by; {@code null} like {@code failureKind}
 */
public record ParkedEvent(
        long id,
        UUID eventId,
        String topic,
        String eventType,
        String aggregateType,
        String aggregateId,
        Long aggregateVersion,
        int attempts,
        String lastError,
        String failureKind,
        String failureReason,
        Instant createdAt,
        Instant parkedAt) {}
