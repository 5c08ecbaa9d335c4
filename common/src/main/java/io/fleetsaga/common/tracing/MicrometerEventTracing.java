package io.fleetsaga.common.tracing;

import io.fleetsaga.common.event.EventEnvelope;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import java.util.Optional;

/**
 * {@link EventTracing} on Micrometer Tracing. The handling of an envelope is a {@link Span.Kind#CONSUMER} span,
 * child of the envelope's traceparent, in scope on the handling thread: the tracer puts its trace and span id into
 * the logging context, and the outbox writer stamps the events appended meanwhile with it.
 *
 * <p>The span's parent is built from the traceparent's ids ({@link Tracer#traceContextBuilder()}), not through the
 * configured propagators, so it does not depend on W3C being among {@code management.tracing.propagation.consume}.
 * With a no-op tracer (tracing switched off) the kit falls back to {@link PassThroughEventTracing}'s behaviour.
 */
final class MicrometerEventTracing implements EventTracing {

    private final Tracer tracer;
    private final PassThroughEventTracing fallback = new PassThroughEventTracing();

    MicrometerEventTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public Optional<String> currentTraceparent() {
        Span span = tracer.currentSpan();
        Optional<Traceparent> current = span == null ? Optional.empty() : traceparent(span.context());
        return current.map(Traceparent::header).or(fallback::currentTraceparent);
    }

    @Override
    public void handle(EventEnvelope envelope, String consumer, Runnable handler) {
        Span.Builder builder = tracer.spanBuilder()
                .name(consumer + " " + envelope.type())
                .kind(Span.Kind.CONSUMER)
                .tag("messaging.message.id", envelope.eventId().toString())
                .tag("fleetsaga.event.type", envelope.type())
                .tag("fleetsaga.aggregate.type", envelope.aggregateType())
                .tag("fleetsaga.aggregate.id", envelope.aggregateId());
        Optional<Traceparent> parent = Traceparent.parse(envelope.traceparent());
        if (parent.isPresent()) {
            builder = builder.setParent(tracer.traceContextBuilder()
                    .traceId(parent.get().traceId())
                    .spanId(parent.get().spanId())
                    .sampled(parent.get().sampled())
                    .build());
        }
        Span span = builder.start();
        // a real span puts its ids into the logging context itself; without one the kit names the trace id
        boolean tracerOwnsTraceId = traceparent(span.context()).isPresent();
        try (Tracer.SpanInScope scope = tracer.withSpan(span);
                EventLogContext log = EventLogContext.of(envelope, !tracerOwnsTraceId)) {
            fallback.within(envelope, consumer, handler);
        } catch (RuntimeException | Error e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    private static Optional<Traceparent> traceparent(TraceContext context) {
        return context == null
                ? Optional.empty()
                : Traceparent.of(context.traceId(), context.spanId(), context.sampled());
    }
}
