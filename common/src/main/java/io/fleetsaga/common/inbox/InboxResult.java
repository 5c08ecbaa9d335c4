package io.fleetsaga.common.inbox;

/** Outcome of offering a message to the {@link Inbox}. */
public enum InboxResult {
    /** The handler ran and its effect committed. */
    PROCESSED,
    /** The message had been processed before; nothing ran. */
    DUPLICATE
}
