package io.fleetsaga.common.tracing;

/**
 * Names of the logging-context (MDC) fields the kit sets. Both the text pattern and the JSON formats of the
 * services print them (docs/tracing.md); {@code traceId} and {@code spanId} come from Micrometer Tracing.
 */
public final class LogFields {

    /** The id of the event being handled or published. */
    public static final String EVENT_ID = "eventId";
    /** Its type, e.g. {@code OrderStateChanged}. */
    public static final String EVENT_TYPE = "eventType";
    /** The trace id, set by the kit only where no tracer manages it (Micrometer Tracing sets the same key). */
    public static final String TRACE_ID = "traceId";

    private LogFields() {}
}
