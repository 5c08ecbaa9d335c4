package io.fleetsaga.common.event;

/** A record that cannot be read as an {@link EventEnvelope}; it belongs in the dead-letter topic. */
public class MalformedEventException extends RuntimeException {

    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
