package io.fleetsaga.common.tracing;

import io.fleetsaga.common.event.EventEnvelope;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EventTracing} without a tracer: no spans, but the traceparent of the envelope being handled is the
 * current one on this thread, so the events appended while handling it carry the same trace context on, and the
 * logs show its trace id.
 */
final class PassThroughEventTracing implements EventTracing {

    /** One DEBUG line per handled event, in the handling's logging context (its trace, event and order id). */
    private static final Logger log = LoggerFactory.getLogger(EventTracing.class);

    private final ThreadLocal<String> handling = new ThreadLocal<>();

    @Override
    public Optional<String> currentTraceparent() {
        return Optional.ofNullable(handling.get());
    }

    @Override
    public void handle(EventEnvelope envelope, String consumer, Runnable handler) {
        try (EventLogContext log = EventLogContext.of(envelope, true)) {
            within(envelope, consumer, handler);
        }
    }

    /** Runs {@code handler} with the envelope's (valid) traceparent as this thread's current one. */
    void within(EventEnvelope envelope, String consumer, Runnable handler) {
        String outer = handling.get();
        handling.set(Traceparent.parse(envelope.traceparent())
                .map(Traceparent::header)
                .orElse(null));
        try {
            handler.run();
            log.debug(
                    "{} handled {} {} of {} {}",
                    consumer,
                    envelope.type(),
                    envelope.eventId(),
                    envelope.aggregateType(),
                    envelope.aggregateId());
        } finally {
            if (outer == null) {
                handling.remove();
            } else {
                handling.set(outer);
            }
        }
    }
}
