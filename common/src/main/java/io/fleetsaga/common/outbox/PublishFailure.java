package io.fleetsaga.common.outbox;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import tools.jackson.core.JacksonException;

/**
 * Whose fault a failed publish attempt is — the relay's one decision about a failure (ARCHITECTURE rule 5).
 *
 * <ul>
 *   <li>{@link Kind#TRANSPORT}: the transport is away or overloaded (broker unreachable, request or delivery
 *       timeout, not enough replicas, any retriable broker error; a webhook receiver that does not answer in time,
 *       refuses the connection, or answers 408, 429 or 5xx). Nobody's record is at fault: the relay's lane backs
 *       off as a whole and probes; the row goes back in line with its attempts unchanged, so it is never parked
 *       however long the outage lasts.
 *   <li>{@link Kind#RECORD}: this record can never be delivered as it is (too large, not serialisable, refused
 *       by an authorisation rule, an invalid topic, a webhook 4xx other than 408/429, a redirect, an endpoint
 *       without URL). Retrying cannot help: the row is parked at once, with its reason, until ops requeue it.
 *   <li>{@link Kind#UNKNOWN}: nothing recognised it (e.g. a bare {@code RuntimeException} of a publisher). It is
 *       counted against the record: retried with the record's backoff and parked after {@code max-attempts}, so a
 *       truly poisonous record still ends parked instead of being retried forever.
 * </ul>
 *
 * <p>Each transport classifies its own exceptions ({@link OutboxPublisher#classify}); {@link #classify(Throwable)}
 * holds the rules every transport shares and honours exceptions that carry their own verdict ({@link
 * Classified}).
 *
 * @param kind whose fault it is
 * @param reason a short, stable code of the cause, e.g. {@code RecordTooLargeException} or {@code HTTP 400}: stored
 *     on the row, and what ops filter parked rows by (never a message with ids or URLs in it)
 */
public record PublishFailure(Kind kind, String reason) {

    private static final int MAX_REASON_LENGTH = 100;

    /** Whose fault a failure is. */
    public enum Kind {
        /** The transport is away: back off the lane, keep the record's attempts. */
        TRANSPORT,
        /** The record cannot be delivered as it is: park it at once. */
        RECORD,
        /** Not recognised: count the attempt, retry with backoff, park after {@code max-attempts}. */
        UNKNOWN
    }

    /** An exception that knows whose fault it is (e.g. a webhook answer with its status). */
    public interface Classified {
        PublishFailure publishFailure();
    }

    public PublishFailure {
        Objects.requireNonNull(kind, "kind");
        reason = reason == null || reason.isBlank() ? kind.name() : reason;
        if (reason.length() > MAX_REASON_LENGTH) {
            reason = reason.substring(0, MAX_REASON_LENGTH);
        }
    }

    public static PublishFailure transport(String reason) {
        return new PublishFailure(Kind.TRANSPORT, reason);
    }

    public static PublishFailure record(String reason) {
        return new PublishFailure(Kind.RECORD, reason);
    }

    public static PublishFailure unknown(String reason) {
        return new PublishFailure(Kind.UNKNOWN, reason);
    }

    public boolean isTransport() {
        return kind == Kind.TRANSPORT;
    }

    /**
     * The rules shared by every transport, along the cause chain (outermost first): an exception that carries its
     * own verdict ({@link Classified}); content that cannot be serialised (a Jackson or character-coding error —
     * the latter an {@link IOException}) is the record's; a timeout ({@link TimeoutException}, e.g. the relay's own publish timeout;
     * {@link java.net.http.HttpTimeoutException}); an interruption (the relay is stopping); an I/O failure
     * (refused or reset connection, unknown host). Anything else is {@link Kind#UNKNOWN}, named after the
     * outermost exception that is not a mere wrapper.
     */
    public static PublishFailure classify(Throwable failure) {
        Throwable named = null;
        for (Throwable t : causes(failure)) {
            if (t instanceof Classified classified) {
                return classified.publishFailure();
            }
            if (t instanceof JacksonException || t instanceof CharacterCodingException) {
                // about the record's content, not the connection (a CharacterCodingException is an IOException)
                return record("not serialisable: " + t.getClass().getSimpleName());
            }
            if (t instanceof TimeoutException || t instanceof InterruptedException || t instanceof IOException) {
                return transport(t.getClass().getSimpleName());
            }
            if (named == null && !isWrapper(t)) {
                named = t;
            }
        }
        return unknown(named == null ? null : named.getClass().getSimpleName());
    }

    /** The failure and its causes, outermost first, each once. */
    public static List<Throwable> causes(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private static boolean isWrapper(Throwable t) {
        return (t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null;
    }
}
