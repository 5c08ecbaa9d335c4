package io.fleetsaga.common.outbox;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.tracing.EventTracing;

/**
 * {@link OutboxWriter} on the JDBC outbox table. An envelope appended without trace context gets the caller's
 * current one ({@link EventTracing#currentTraceparent()}: the span of the request or of the event being handled);
 * an envelope that carries its own keeps it.
 */
public final class JdbcOutboxWriter implements OutboxWriter {

    private final JdbcOutboxStore store;
    private final EventTracing tracing;

    public JdbcOutboxWriter(JdbcOutboxStore store, EventTracing tracing) {
        this.store = store;
        this.tracing = tracing;
    }

    /** A writer that stores only the trace context the envelopes carry themselves. */
    public JdbcOutboxWriter(JdbcOutboxStore store) {
        this(store, EventTracing.passThrough());
    }

    @Override
    public void append(String topic, EventEnvelope envelope) {
        store.append(topic, withTraceContext(envelope));
    }

    private EventEnvelope withTraceContext(EventEnvelope envelope) {
        if (envelope.traceparent() != null) {
            return envelope;
        }
        return tracing.currentTraceparent().map(envelope::withTraceparent).orElse(envelope);
    }
}
