package io.fleetsaga.common.tracing;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A W3C {@code traceparent} value: {@code 00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>}.
 *
 * <p>Parsing is lenient towards the outside world and strict about the format: anything that is not a valid
 * version-00 value (wrong length, upper-case hex, an all-zero id) is treated as "no trace context", so a bad
 * header starts a new trace instead of failing the handling of an event.
 *
 * @param traceId 32 lower-case hex digits, not all zero
 * @param spanId 16 lower-case hex digits, not all zero: the span the next span is a child of
 * @param sampled whether the trace is sampled (flag {@code 01})
 */
public record Traceparent(String traceId, String spanId, boolean sampled) {

    private static final Pattern FORMAT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");

    public Traceparent {
        if (traceId == null || !TRACE_ID.matcher(traceId).matches() || isZero(traceId)) {
            throw new IllegalArgumentException("invalid W3C trace id: " + traceId);
        }
        if (spanId == null || !SPAN_ID.matcher(spanId).matches() || isZero(spanId)) {
            throw new IllegalArgumentException("invalid W3C span id: " + spanId);
        }
    }

    /** The value of {@code header}, or empty when it is absent or not a valid version-00 traceparent. */
    public static Optional<Traceparent> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        var matcher = FORMAT.matcher(header.trim());
        if (!matcher.matches() || isZero(matcher.group(1)) || isZero(matcher.group(2))) {
            return Optional.empty();
        }
        boolean sampled = (Integer.parseInt(matcher.group(3), 16) & 1) == 1;
        return Optional.of(new Traceparent(matcher.group(1), matcher.group(2), sampled));
    }

    /**
     * The traceparent of a span, from the ids a tracer reports; empty when they are not valid W3C ids (e.g. a
     * no-op tracer's empty ids). A 64-bit trace id (16 hex digits) is left-padded with zeros, as W3C prescribes.
     */
    public static Optional<Traceparent> of(String traceId, String spanId, Boolean sampled) {
        if (traceId == null || spanId == null) {
            return Optional.empty();
        }
        String trace = traceId.toLowerCase(Locale.ROOT);
        if (trace.length() == 16) {
            trace = "0".repeat(16) + trace;
        }
        String span = spanId.toLowerCase(Locale.ROOT);
        if (!TRACE_ID.matcher(trace).matches()
                || isZero(trace)
                || !SPAN_ID.matcher(span).matches()
                || isZero(span)) {
            return Optional.empty();
        }
        return Optional.of(new Traceparent(trace, span, Boolean.TRUE.equals(sampled)));
    }

    /** The header value, e.g. {@code 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}. */
    public String header() {
        return "00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00");
    }

    @Override
    public String toString() {
        return header();
    }

    private static boolean isZero(String hex) {
        return hex.chars().allMatch(c -> c == '0');
    }
}
