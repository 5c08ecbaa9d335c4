package io.fleetsaga.common.inbox;

import java.time.Duration;
import java.util.UUID;

/** Hooks the inbox calls after each outcome; metrics observe the inbox through them. Must not throw. */
public interface InboxListener {

    /** The handler ran and its effect committed together with the inbox record. */
    default void processed(String consumer, UUID messageId) {}

    /**
     * After {@link #processed} of an event: its effect committed {@code propagation} after the event occurred in the
     * writer's transaction (both clocks' readings; across hosts it includes their skew, and it may be negative).
     */
    default void propagated(String consumer, UUID messageId, Duration propagation) {}

    /** The message had been processed before; it was acknowledged and skipped. */
    default void duplicate(String consumer, UUID messageId) {}
}
