package io.fleetsaga.common.messaging;

import io.fleetsaga.common.metrics.ListenerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.config.KafkaListenerConfigUtils;
import org.springframework.kafka.listener.CompositeRecordInterceptor;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ListenerContainerRegistry;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Makes every Kafka listener's state visible (I-4: a consumer silently not consuming after recovery): the
 * {@code kafkaListeners} health indicator, the {@code kafka_listener_*} and {@code kafka_consumer_lag_records}
 * metrics, and a log line whenever a listener stops or resumes consuming.
 *
 * <p>Records are counted by a {@link RecordInterceptor} that a {@link ContainerCustomizer} puts on the
 * containers of Spring Boot's {@code kafkaListenerContainerFactory}, in front of the application's own
 * interceptor bean (the one Boot sets on the factory), which keeps working. The error handler is untouched.
 * If the application declares its own {@code ContainerCustomizer}, this one backs off and the records are
 * "not tracked"; health, up, paused and lag still work.
 */
@AutoConfiguration(
        after = KafkaAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration"
        })
@ConditionalOnClass({ListenerContainerRegistry.class, HealthIndicator.class})
@ConditionalOnBean(name = KafkaListenerConfigUtils.KAFKA_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME)
@EnableConfigurationProperties(ListenerHealthSettings.class)
public class ListenerHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ListenerActivity listenerActivity() {
        return new ListenerActivity(Clock.systemUTC());
    }

    /** Picked up by Spring Boot's {@code kafkaListenerContainerFactory}. */
    @Bean
    @ConditionalOnMissingBean(ContainerCustomizer.class)
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> listenerActivityCustomizer(
            ListenerActivity activity, ObjectProvider<RecordInterceptor<Object, Object>> applicationInterceptor) {
        // the same lookup Spring Boot uses to set the factory's interceptor, which the container already has
        RecordInterceptor<Object, Object> own = applicationInterceptor.getIfUnique();
        return container -> {
            RecordInterceptor<Object, Object> tracking = activity.interceptorFor(container);
            container.setRecordInterceptor(own == null ? tracking : new CompositeRecordInterceptor<>(tracking, own));
        };
    }

    @Bean
    @ConditionalOnMissingBean
    ListenerMonitor listenerMonitor(
            @Qualifier(KafkaListenerConfigUtils.KAFKA_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME)
                    ListenerContainerRegistry registry,
            ListenerHealthSettings settings,
            ObjectProvider<ListenerMonitor.Observer> observers) {
        return new ListenerMonitor(
                registry, settings, Clock.systemUTC(), observers.orderedStream().toList());
    }

    @Bean
    @ConditionalOnMissingBean(name = "kafkaListenersHealthIndicator")
    @ConditionalOnProperty(name = "management.health.kafka-listeners.enabled", matchIfMissing = true)
    HealthIndicator kafkaListenersHealthIndicator(ListenerMonitor monitor, ListenerActivity activity) {
        return new ListenerHealthIndicator(monitor, activity, Clock.systemUTC());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(MeterRegistry.class)
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        ListenerMetrics listenerMetrics(MeterRegistry registry, ListenerActivity activity) {
            return new ListenerMetrics(registry, activity, Clock.systemUTC());
        }
    }
}
