package io.fleetsaga.common.tracing;

import io.fleetsaga.common.event.EventEnvelope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * Puts an event's ids into the logging context (MDC) of the current thread and, on {@link #close()}, restores
 * what was there before — so it nests, and a pooled thread (a consumer, the relay) never keeps a stale event id.
 */
public final class EventLogContext implements AutoCloseable {

    private final Map<String, String> previous = new LinkedHashMap<>();

    private EventLogContext() {}

    /**
     * The event's id and type; with {@code withTraceId}, also the trace id of its traceparent (for threads where no
     * tracer sets {@value LogFields#TRACE_ID}; never together with a tracer's span, which owns that key).
     */
    public static EventLogContext of(EventEnvelope envelope, boolean withTraceId) {
        EventLogContext context = new EventLogContext();
        context.put(LogFields.EVENT_ID, envelope.eventId().toString());
        context.put(LogFields.EVENT_TYPE, envelope.type());
        if (withTraceId) {
            Traceparent.parse(envelope.traceparent())
                    .ifPresent(parent -> context.put(LogFields.TRACE_ID, parent.traceId()));
        }
        return context;
    }

    private void put(String key, String value) {
        previous.put(key, MDC.get(key));
        MDC.put(key, value);
    }

    @Override
    public void close() {
        previous.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
