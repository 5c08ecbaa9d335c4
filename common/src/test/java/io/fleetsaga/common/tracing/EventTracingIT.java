package io.fleetsaga.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.autoconfigure.ReliabilityKitAutoConfiguration;
import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.event.EventHeaders;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.common.support.TopicReader;
import io.fleetsaga.infra.RealInfrastructure;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Trace context through the kit with Micrometer Tracing on OpenTelemetry, as the services run it (a real Spring
 * application, so the tracer also drives the logging context), on the real database and broker: an event appended
 * inside a span carries that span's traceparent through the outbox row, the relay and the Kafka header, and the
 * handling of a consumed envelope continues its trace — in the tracer, in the logs and in the events it appends.
 */
class EventTracingIT {

    static final String SCHEMA = "kit_tracing_" + UUID.randomUUID().toString().substring(0, 8);
    static final RecordingSpanExporter exported = new RecordingSpanExporter();

    static ConfigurableApplicationContext context;
    static Tracer tracer;
    static EventTracing tracing;
    static OutboxWriter outbox;
    static JdbcTemplate jdbc;
    static TransactionTemplate tx;

    String topic;

    @BeforeAll
    static void startKitWithTracing() {
        Map<String, Object> properties = new HashMap<>(RealInfrastructure.get().springProperties(SCHEMA));
        properties.put("spring.flyway.locations", "classpath:db/kit");
        properties.put("fleetsaga.outbox.poll-interval", "50ms");
        properties.put("management.tracing.sampling.probability", "1.0");
        properties.put("management.tracing.opentelemetry.export.schedule-delay", "100ms");
        context = new SpringApplicationBuilder(TracedKit.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .properties(properties)
                .run();
        tracer = context.getBean(Tracer.class);
        tracing = context.getBean(EventTracing.class);
        outbox = context.getBean(OutboxWriter.class);
        jdbc = new JdbcTemplate(context.getBean(DataSource.class));
        tx = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
        RealInfrastructure.get().database().dropDatabase(SCHEMA);
    }

    @BeforeEach
    void freshTopic() {
        topic = "tracing-it-" + UUID.randomUUID();
    }

    @Test
    void theKitUsesTheTracerWhenTheApplicationHasOne() {
        assertThat(tracing).isInstanceOf(MicrometerEventTracing.class);
    }

    @Test
    void anEventAppendedInsideASpanCarriesThatSpansTraceparent() {
        EventEnvelope event = event();
        Span request = tracer.nextSpan().name("dispatcher request").start();
        try (Tracer.SpanInScope scope = tracer.withSpan(request)) {
            tx.executeWithoutResult(status -> outbox.append(topic, event));
        } finally {
            request.end();
        }

        assertThat(storedTraceparent(event)).isEqualTo(traceparent(request.context()));
    }

    @Test
    void anEventThatBringsItsOwnTraceContextKeepsIt() {
        String own = randomTraceparent().header();
        EventEnvelope event = event().withTraceparent(own);
        Span request = tracer.nextSpan().name("dispatcher request").start();
        try (Tracer.SpanInScope scope = tracer.withSpan(request)) {
            tx.executeWithoutResult(status -> outbox.append(topic, event));
        } finally {
            request.end();
        }

        assertThat(storedTraceparent(event)).isEqualTo(own);
    }

    @Test
    void anEventAppendedOutsideAnySpanCarriesNoTraceContext() {
        EventEnvelope event = event();

        tx.executeWithoutResult(status -> outbox.append(topic, event));

        assertThat(storedTraceparent(event)).isNull();
    }

    @Test
    void handlingAConsumedEnvelopeContinuesItsTraceInTheTracerTheLogsAndTheEventsItAppends() {
        Traceparent upstream = randomTraceparent();
        EventEnvelope consumed = event().withTraceparent(upstream.header());
        EventEnvelope reply = event();
        AtomicReference<TraceContext> handling = new AtomicReference<>();
        AtomicReference<Map<String, String>> logContext = new AtomicReference<>();

        tracing.handle(consumed, "tracing-it", () -> {
            handling.set(tracer.currentSpan().context());
            logContext.set(MDC.getCopyOfContextMap());
            tx.executeWithoutResult(status -> outbox.append(topic, reply));
        });

        TraceContext span = handling.get();
        assertThat(span.traceId()).isEqualTo(upstream.traceId());
        assertThat(span.spanId()).isNotEqualTo(upstream.spanId());
        assertThat(logContext.get())
                .containsEntry("traceId", upstream.traceId())
                .containsEntry("spanId", span.spanId())
                .containsEntry("eventId", consumed.eventId().toString())
                .containsEntry("eventType", consumed.type());
        assertThat(storedTraceparent(reply))
                .as("the reply hangs under the handling span, in the same trace")
                .isEqualTo("00-" + upstream.traceId() + "-" + span.spanId() + "-01");

        SpanData exportedSpan = exported.exportedSpan(span.spanId());
        assertThat(exportedSpan.getParentSpanId()).isEqualTo(upstream.spanId());
        assertThat(exportedSpan.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(exportedSpan.getName()).isEqualTo("tracing-it ParcelMoved");
        assertThat(MDC.get("eventId")).as("the logging context is restored").isNull();
        assertThat(MDC.get("traceId")).isNull();
        assertThat(tracer.currentSpan()).isNull();
    }

    @Test
    void theTraceTravelsFromTheAppendingSpanThroughTheRelayAndTheKafkaHeaderIntoTheConsumersHandling() {
        EventEnvelope event = event();
        Span request = tracer.nextSpan().name("dispatcher request").start();
        try (TopicReader reader = new TopicReader(topic)) {
            try (Tracer.SpanInScope scope = tracer.withSpan(request)) {
                tx.executeWithoutResult(status -> outbox.append(topic, event));
            } finally {
                request.end();
            }

            ConsumerRecord<String, String> record =
                    reader.awaitAtLeast(1, Duration.ofSeconds(30)).get(0);
            String header = new String(
                    record.headers().lastHeader(EventHeaders.TRACEPARENT).value(), StandardCharsets.UTF_8);
            EventEnvelope received = new EnvelopeCodec().decode(record.value());
            assertThat(header).isEqualTo(traceparent(request.context()));
            assertThat(received.traceparent()).isEqualTo(header);

            AtomicReference<String> traceIdInHandling = new AtomicReference<>();
            tracing.handle(received, "tracing-it", () -> traceIdInHandling.set(MDC.get("traceId")));
            assertThat(traceIdInHandling).hasValue(request.context().traceId());
        }
    }

    @Test
    void anInvalidTraceparentStartsANewTraceInsteadOfFailingTheHandling() {
        EventEnvelope consumed = event().withTraceparent("00-not-a-trace-01");
        AtomicReference<TraceContext> handling = new AtomicReference<>();

        tracing.handle(
                consumed, "tracing-it", () -> handling.set(tracer.currentSpan().context()));

        assertThat(Traceparent.of(handling.get().traceId(), handling.get().spanId(), true))
                .isPresent();
        assertThat(exported.exportedSpan(handling.get().spanId())
                        .getParentSpanContext()
                        .isValid())
                .isFalse();
    }

    @Test
    void aFailingHandlersExceptionPassesThroughAndTheSpanRecordsIt() {
        Traceparent upstream = randomTraceparent();
        EventEnvelope consumed = event().withTraceparent(upstream.header());
        AtomicReference<String> spanId = new AtomicReference<>();

        assertThatThrownBy(() -> tracing.handle(consumed, "tracing-it", () -> {
                    spanId.set(tracer.currentSpan().context().spanId());
                    throw new IllegalStateException("deadlock, retry");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("deadlock, retry");

        SpanData span = exported.exportedSpan(spanId.get());
        assertThat(span.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
        assertThat(MDC.get("eventId")).isNull();
    }

    private String storedTraceparent(EventEnvelope event) {
        return jdbc.queryForObject(
                "SELECT traceparent FROM outbox_event WHERE event_id = ?",
                String.class,
                event.eventId().toString());
    }

    private static String traceparent(TraceContext context) {
        return "00-" + context.traceId() + "-" + context.spanId() + "-01";
    }

    static EventEnvelope event() {
        return EventEnvelope.of("ParcelMoved", "Parcel", "p-" + UUID.randomUUID(), 1L, "{\"version\":1}");
    }

    static Traceparent randomTraceparent() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new Traceparent(
                String.format("%016x%016x", random.nextLong(), random.nextLong() | 1),
                String.format("%016x", random.nextLong() | 1),
                true);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({
        DataSourceAutoConfiguration.class,
        DataSourceTransactionManagerAutoConfiguration.class,
        FlywayAutoConfiguration.class,
        KafkaAutoConfiguration.class,
        OpenTelemetrySdkAutoConfiguration.class,
        OpenTelemetryTracingAutoConfiguration.class,
        MicrometerTracingAutoConfiguration.class,
        EventTracingAutoConfiguration.class,
        ReliabilityKitAutoConfiguration.class
    })
    static class TracedKit {

        @Bean
        SpanExporter recordingSpanExporter() {
            return exported;
        }
    }

    /** Keeps every span the tracer exports. */
    static final class RecordingSpanExporter implements SpanExporter {

        private final List<SpanData> spans = new CopyOnWriteArrayList<>();

        SpanData exportedSpan(String spanId) {
            List<SpanData> found = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                spans.stream()
                        .filter(span -> span.getSpanId().equals(spanId))
                        .findFirst()
                        .ifPresent(found::add);
                return !found.isEmpty();
            });
            return found.get(0);
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
