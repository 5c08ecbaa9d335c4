package io.fleetsaga.common.security;

import java.time.Duration;
import org.springframework.security.core.AuthenticationException;

/** The client sent too many wrong credentials recently; answered 429 with {@code Retry-After}. */
final class TooManyFailedLoginsException extends AuthenticationException {

    private final Duration retryAfter;

    TooManyFailedLoginsException(Duration retryAfter) {
        super("Too many failed logins from this client");
        this.retryAfter = retryAfter;
    }

    /** Whole seconds until the client's window ends, at least 1. */
    long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
