package io.fleetsaga.common.tracing;

import io.fleetsaga.common.event.EventEnvelope;
import java.util.Optional;

/**
 * Carries the W3C trace context of events across the outbox and the broker, so that one dispatcher request can be
 * followed through every service its events reach (docs/tracing.md).
 *
 * <ul>
 *   <li><b>Producing</b>: the outbox writer asks {@link #currentTraceparent()} when an envelope without trace
 *       context is appended, and stores the answer in the outbox row; the relay sends it as the {@code traceparent}
 *       Kafka header (and HTTP header) and inside the envelope.
 *   <li><b>Consuming</b>: a consumer runs its handling of an envelope through {@link #handle}: the handling is a
 *       child span of the envelope's trace context, the logs carry its trace id and the event id, and every event
 *       appended while handling carries the same trace on.
 * </ul>
 *
 * <p>With Micrometer Tracing (a {@code io.micrometer.tracing.Tracer} bean) the kit uses the tracer's spans; without
 * it, {@link #passThrough()} still hands the consumed envelope's trace context on to the events appended while
 * handling it, so propagation never depends on a tracer being present.
 */
public interface EventTracing {

    /**
     * The W3C traceparent of the current span, or — without an active span — of the event being handled on this
     * thread; empty when there is neither.
     */
    Optional<String> currentTraceparent();

    /**
     * Runs {@code handler} as the handling of {@code envelope}: as a child of the envelope's trace context (a new
     * trace when it has none or an invalid one), with {@value LogFields#EVENT_ID} and {@value LogFields#EVENT_TYPE}
     * in the logging context. Exceptions of the handler pass through unchanged (and mark the span as failed).
     *
     * @param consumer the consumer's name, e.g. its inbox consumer id; names the span
     */
    void handle(EventEnvelope envelope, String consumer, Runnable handler);

    /** Trace context without a tracer: the consumed envelope's traceparent is handed on unchanged. */
    static EventTracing passThrough() {
        return new PassThroughEventTracing();
    }
}
