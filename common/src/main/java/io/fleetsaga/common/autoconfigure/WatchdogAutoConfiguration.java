package io.fleetsaga.common.autoconfigure;

import io.fleetsaga.common.messaging.ListenerActivity;
import io.fleetsaga.common.messaging.ListenerHealthAutoConfiguration;
import io.fleetsaga.common.messaging.ListenerMonitor;
import io.fleetsaga.common.messaging.ListenerProgress;
import io.fleetsaga.common.metrics.BackgroundTaskMetrics;
import io.fleetsaga.common.scheduling.BackgroundTaskWatchdog;
import io.fleetsaga.common.scheduling.BackgroundTasksHealthIndicator;
import io.fleetsaga.common.scheduling.WatchdogSettings;
import io.fleetsaga.common.scheduling.WatchedTasks;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The background-task watchdog (ARCHITECTURE rule 9: a loop that stops making progress shows in a metric and in
 * health): {@link BackgroundTaskWatchdog} over every {@link WatchedTasks} bean, the {@code backgroundTasks} health
 * indicator and the {@code fleetsaga_background_task_*} metrics.
 */
@AutoConfiguration(
        after = ListenerHealthAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration"
        })
@EnableConfigurationProperties(WatchdogSettings.class)
public class WatchdogAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    BackgroundTaskWatchdog backgroundTaskWatchdog(
            ObjectProvider<WatchedTasks> sources,
            WatchdogSettings settings,
            ObjectProvider<BackgroundTaskWatchdog.Observer> observers) {
        return new BackgroundTaskWatchdog(
                () -> sources.orderedStream().toList(),
                settings,
                () -> observers.orderedStream().toList());
    }

    @Bean
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnMissingBean(name = "backgroundTasksHealthIndicator")
    @ConditionalOnProperty(name = "management.health.background-tasks.enabled", matchIfMissing = true)
    HealthIndicator backgroundTasksHealthIndicator(BackgroundTaskWatchdog watchdog) {
        return new BackgroundTasksHealthIndicator(watchdog);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(MeterRegistry.class)
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        BackgroundTaskMetrics backgroundTaskMetrics(MeterRegistry registry, BackgroundTaskWatchdog watchdog) {
            return new BackgroundTaskMetrics(registry, watchdog);
        }
    }

    /** The Kafka listeners' consumption, where the listener monitor runs. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(ListenerMonitor.class)
    static class Listeners {

        @Bean
        @ConditionalOnMissingBean
        ListenerProgress listenerProgress(ListenerMonitor monitor, ListenerActivity activity) {
            return new ListenerProgress(monitor, activity, Clock.systemUTC());
        }
    }
}
