package io.fleetsaga.common.event;

/** Kafka header names set on every published event, so routing and tracing need not parse the body. */
public final class EventHeaders {

    public static final String EVENT_ID = "fs-event-id";
    public static final String EVENT_TYPE = "fs-event-type";
    public static final String AGGREGATE_TYPE = "fs-aggregate-type";
    public static final String AGGREGATE_VERSION = "fs-aggregate-version";
    /** W3C trace context header name. */
    public static final String TRACEPARENT = "traceparent";

    private EventHeaders() {}
}
