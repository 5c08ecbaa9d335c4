package io.fleetsaga.common.deadletter;

/** A dead-letter operation that could not be done; {@link #reason()} says why. */
public final class DeadLetterException extends RuntimeException {

    public enum Reason {
        /** Not a dead-letter topic of this service: it reads and replays only its own. */
        UNKNOWN_TOPIC,
        /** No record at that partition and offset (never written, or deleted by retention). */
        NOT_FOUND,
        /** Replayed or discarded before, or a replay of it is running. */
        ALREADY_HANDLED,
        /** The broker did not answer within {@code fleetsaga.consumer.dead-letters.timeout}. */
        BROKER_UNAVAILABLE
    }

    private final Reason reason;

    DeadLetterException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    DeadLetterException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
