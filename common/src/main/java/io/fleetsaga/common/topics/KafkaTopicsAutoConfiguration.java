package io.fleetsaga.common.topics;

import io.fleetsaga.common.deadletter.DeadLetterSettings;
import io.fleetsaga.common.messaging.ConsumerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Topics declared, not implied: in a service that says which topics it owns ({@link OwnedTopics} bean), declares
 * them ({@link TopicDeclarations}, unless {@code fleetsaga.kafka.topics.declare=false}) and checks them ({@link
 * KafkaTopicsStartup}), both after startup and off its path.
 */
@AutoConfiguration(
        after = KafkaAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration"
        })
@ConditionalOnBean({KafkaAdmin.class, OwnedTopics.class})
@EnableConfigurationProperties({KafkaTopicSettings.class, ConsumerSettings.class, DeadLetterSettings.class})
public class KafkaTopicsAutoConfiguration {

    /** Bound of each broker call of the safety check. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "fleetsaga.kafka.topics.declare", havingValue = "true", matchIfMissing = true)
    TopicDeclarations topicDeclarations(
            OwnedTopics owned, KafkaTopicSettings settings, ConsumerSettings consumer, DeadLetterSettings deadLetters) {
        return new TopicDeclarations(owned, settings, consumer.deadLetterSuffix(), deadLetters.retention());
    }

    @Bean
    @ConditionalOnMissingBean
    KafkaTopicsStartup kafkaTopicsStartup(
            KafkaAdmin kafkaAdmin,
            OwnedTopics owned,
            ObjectProvider<TopicDeclarations> declarations,
            ConsumerSettings consumer,
            ObjectProvider<MeterRegistry> registry) {
        return new KafkaTopicsStartup(
                kafkaAdmin,
                declarations.getIfAvailable(),
                owned.names(consumer.deadLetterSuffix()),
                CHECK_TIMEOUT,
                registry.getIfAvailable());
    }
}
