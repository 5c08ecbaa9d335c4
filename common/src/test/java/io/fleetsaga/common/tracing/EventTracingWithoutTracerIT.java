package io.fleetsaga.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.autoconfigure.ReliabilityKitAutoConfiguration;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.infra.RealInfrastructure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The kit without Micrometer Tracing on the classpath, on the real database: it starts, and a consumed envelope's
 * trace context is still handed on, unchanged, to the events appended while handling it, and named in the logs.
 */
class EventTracingWithoutTracerIT {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withClassLoader(new FilteredClassLoader("io.micrometer.tracing"))
            .withConfiguration(AutoConfigurations.of(
                    DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class,
                    FlywayAutoConfiguration.class,
                    EventTracingAutoConfiguration.class,
                    ReliabilityKitAutoConfiguration.class))
            .withPropertyValues(properties());

    @Test
    void handsTheConsumedTraceContextOnToTheEventsAppendedWhileHandlingIt() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(EventTracing.class);
            EventTracing tracing = context.getBean(EventTracing.class);
            assertThat(tracing).isInstanceOf(PassThroughEventTracing.class);
            OutboxWriter outbox = context.getBean(OutboxWriter.class);
            TransactionTemplate tx = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
            JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));

            Traceparent upstream = EventTracingIT.randomTraceparent();
            EventEnvelope consumed = EventTracingIT.event().withTraceparent(upstream.header());
            EventEnvelope reply = EventTracingIT.event();
            EventEnvelope later = EventTracingIT.event();
            AtomicReference<Map<String, String>> logContext = new AtomicReference<>();

            tracing.handle(consumed, "tracing-it", () -> {
                logContext.set(MDC.getCopyOfContextMap());
                tx.executeWithoutResult(status -> outbox.append("parcels", reply));
            });
            tx.executeWithoutResult(status -> outbox.append("parcels", later));

            assertThat(traceparent(jdbc, reply)).isEqualTo(upstream.header());
            assertThat(traceparent(jdbc, later)).as("after the handling").isNull();
            assertThat(logContext.get())
                    .containsEntry("traceId", upstream.traceId())
                    .containsEntry("eventId", consumed.eventId().toString());
            assertThat(MDC.get("traceId")).isNull();
            assertThat(MDC.get("eventId")).isNull();
        });
    }

    private static String traceparent(JdbcTemplate jdbc, EventEnvelope event) {
        return jdbc.queryForObject(
                "SELECT traceparent FROM outbox_event WHERE event_id = ?",
                String.class,
                event.eventId().toString());
    }

    private static String[] properties() {
        String schema = "kit_notracer_" + UUID.randomUUID().toString().substring(0, 8);
        List<String> values = new ArrayList<>();
        RealInfrastructure.get().springProperties(schema).forEach((key, value) -> values.add(key + "=" + value));
        values.add("spring.flyway.locations=classpath:db/kit");
        return values.toArray(String[]::new);
    }
}
