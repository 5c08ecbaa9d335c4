package io.fleetsaga.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.metrics.ListenerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/** When the listener health is wired, and that it gives way to the application's own container customizer. */
class ListenerHealthAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(KafkaAutoConfiguration.class, ListenerHealthAutoConfiguration.class))
            .withPropertyValues("spring.kafka.bootstrap-servers=localhost:1");

    @Test
    void wiresHealthMetricsAndRecordTrackingWhenSpringKafkaIsConfigured() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context)
                    .hasNotFailed()
                    .hasSingleBean(ListenerMonitor.class)
                    .hasSingleBean(ListenerMetrics.class)
                    .hasSingleBean(ContainerCustomizer.class)
                    .hasBean("kafkaListenersHealthIndicator");
            assertThat(context.getBean(ListenerMonitor.class).isRunning()).isTrue();
            // no listener yet: nothing to be down about
            assertThat(context.getBean("kafkaListenersHealthIndicator", HealthIndicator.class)
                            .health()
                            .getStatus())
                    .isEqualTo(Status.UP);
        });
    }

    @Test
    void staysAwayWithoutAKafkaListenerRegistry() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ListenerHealthAutoConfiguration.class))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(ListenerMonitor.class)
                        .doesNotHaveBean("kafkaListenersHealthIndicator"));
    }

    @Test
    void givesWayToTheApplicationsContainerCustomizerButKeepsTheHealth() {
        ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> own = container -> {};
        runner.withBean(ContainerCustomizer.class, () -> own).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(ContainerCustomizer.class);
            assertThat(context.getBean(ContainerCustomizer.class)).isSameAs(own);
            assertThat(context).hasBean("kafkaListenersHealthIndicator").doesNotHaveBean(ListenerMetrics.class);
        });
    }

    @Test
    void theHealthIndicatorCanBeSwitchedOff() {
        runner.withPropertyValues("management.health.kafka-listeners.enabled=false")
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(ListenerMonitor.class)
                        .doesNotHaveBean("kafkaListenersHealthIndicator"));
    }
}
