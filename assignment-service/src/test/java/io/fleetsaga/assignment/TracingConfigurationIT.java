package io.fleetsaga.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.common.tracing.EventTracing;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Tracing as application.yml configures it (docs/tracing.md): Micrometer Tracing on OpenTelemetry, every trace
 * sampled, W3C propagation, the kit's event tracing on the tracer — and no span export unless switched on.
 */
class TracingConfigurationIT extends RealInfrastructureTest {

    @Autowired
    ApplicationContext context;

    @Test
    void tracesEveryRequestAndEventButExportsNoSpansByDefault() {
        assertThat(context.getBean(Tracer.class)).isInstanceOf(OtelTracer.class);
        assertThat(context.getBean(EventTracing.class).getClass().getSimpleName())
                .isEqualTo("MicrometerEventTracing");
        assertThat(context.getBeanNamesForType(OtlpHttpSpanExporter.class)).isEmpty();
        assertThat(context.getBeanNamesForType(OtlpGrpcSpanExporter.class)).isEmpty();

        Environment environment = context.getEnvironment();
        assertThat(environment.getProperty("management.tracing.sampling.probability", Double.class))
                .isEqualTo(1.0);
        assertThat(environment.getProperty("management.tracing.propagation.type"))
                .isEqualToIgnoringCase("w3c");
        assertThat(environment.getProperty("management.tracing.export.otlp.enabled", Boolean.class))
                .isFalse();
    }
}
