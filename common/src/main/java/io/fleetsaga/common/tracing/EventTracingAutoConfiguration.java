package io.fleetsaga.common.tracing;

import io.fleetsaga.common.autoconfigure.ReliabilityKitAutoConfiguration;
import io.micrometer.tracing.Tracer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The kit's {@link EventTracing} on Micrometer Tracing, where the application has a {@link Tracer} (Spring Boot's
 * tracing auto-configuration with a bridge such as {@code micrometer-tracing-bridge-otel}). Without one, the
 * reliability kit falls back to {@link EventTracing#passThrough()}.
 */
@AutoConfiguration(
        before = ReliabilityKitAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration",
            "org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration",
            "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration",
            "org.springframework.boot.micrometer.tracing.autoconfigure.NoopTracerAutoConfiguration"
        })
@ConditionalOnClass(Tracer.class)
public class EventTracingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(Tracer.class)
    EventTracing eventTracing(Tracer tracer) {
        return new MicrometerEventTracing(tracer);
    }
}
