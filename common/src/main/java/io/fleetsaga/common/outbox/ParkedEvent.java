package io.fleetsaga.common.outbox;

import java.time.Instant;
import java.util.UUID;

/** An outbox row that exhausted its attempts, as shown to ops. */
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
        Instant createdAt,
        Instant parkedAt) {}
