package io.fleetsaga.common.outbox;

import io.fleetsaga.common.event.EventEnvelope;

/**
 * An outbox row claimed for publication.
 *
 * @param id the row id (publication order)
 * @param topic destination topic
 * @param envelope the event
 * @param attempt the number of this attempt, starting at 1
 */
public record OutboxRecord(long id, String topic, EventEnvelope envelope, int attempt) {}
