package io.fleetsaga.common.inbox;

import java.util.UUID;

/** Hooks the inbox calls after each outcome; metrics observe the inbox through them. Must not throw. */
public interface InboxListener {

    /** The handler ran and its effect committed together with the inbox record. */
    default void processed(String consumer, UUID messageId) {}

    /** The message had been processed before; it was acknowledged and skipped. */
    default void duplicate(String consumer, UUID messageId) {}
}
