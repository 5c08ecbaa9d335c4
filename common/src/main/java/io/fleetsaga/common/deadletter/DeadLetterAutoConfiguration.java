package io.fleetsaga.common.deadletter;

import io.fleetsaga.common.autoconfigure.ReliabilityKitAutoConfiguration;
import io.fleetsaga.common.messaging.ConsumerSettings;
import io.fleetsaga.common.topics.KafkaTopicSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.KafkaListenerConfigUtils;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ListenerContainerRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Dead letters you can act on, in every service that consumes with the kit's error handler: the dead-letter topics of
 * its listeners ({@link DeadLetterTopics}), kept for {@code fleetsaga.consumer.dead-letters.retention}, their gauges
 * ({@link DeadLetterMonitor}) and the operations behind the ops API ({@link DeadLetterOperations}).
 */
@AutoConfiguration(
        after = ReliabilityKitAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration"
        })
@ConditionalOnBean(
        value = {KafkaProperties.class, DataSource.class},
        name = {"deadLetterKafkaTemplate", KafkaListenerConfigUtils.KAFKA_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME})
@EnableConfigurationProperties({DeadLetterSettings.class, ConsumerSettings.class, KafkaTopicSettings.class})
public class DeadLetterAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    DeadLetterTopics deadLetterTopics(
            @Qualifier(KafkaListenerConfigUtils.KAFKA_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME)
                    ListenerContainerRegistry registry,
            ConsumerSettings settings) {
        return new DeadLetterTopics(() -> consumedTopics(registry), settings.deadLetterSuffix());
    }

    private static Set<String> consumedTopics(ListenerContainerRegistry registry) {
        Set<String> topics = new LinkedHashSet<>();
        for (MessageListenerContainer container : registry.getAllListenerContainers()) {
            String[] names = container.getContainerProperties().getTopics();
            if (names != null) {
                topics.addAll(Arrays.asList(names));
            }
        }
        return topics;
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    DeadLetterLog deadLetterLog(
            KafkaProperties kafka,
            @Qualifier("deadLetterKafkaTemplate") KafkaTemplate<String, byte[]> deadLetterKafkaTemplate,
            DeadLetterSettings settings,
            KafkaTopicSettings topics) {
        // where the service declares its topics, a dead-letter topic this creates first gets the same shape
        return new DeadLetterLog(
                kafka.buildAdminProperties(),
                kafka.buildConsumerProperties(),
                deadLetterKafkaTemplate,
                settings.timeout(),
                topics.declare() ? Optional.of(topics.replicationFactor()) : Optional.empty(),
                topics.declare()
                        ? Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(topics.minInsyncReplicas()))
                        : Map.of());
    }

    @Bean
    @ConditionalOnMissingBean
    DeadLetterOperations deadLetterOperations(
            DeadLetterTopics topics,
            DeadLetterLog broker,
            DataSource dataSource,
            DeadLetterSettings settings,
            ObjectProvider<MeterRegistry> registry) {
        MeterRegistry meters = registry.getIfAvailable();
        List<DeadLetterOperations.Listener> listeners =
                meters == null ? List.of() : List.of(new DeadLetterCounters(meters));
        return new DeadLetterOperations(
                topics,
                broker,
                new DeadLetterActions(dataSource),
                settings.previewBytes(),
                settings.timeout(),
                listeners);
    }

    @Bean
    @ConditionalOnMissingBean
    DeadLetterMonitor deadLetterMonitor(
            DeadLetterOperations operations,
            DeadLetterTopics topics,
            DeadLetterLog broker,
            DeadLetterSettings settings,
            ObjectProvider<MeterRegistry> registry) {
        return new DeadLetterMonitor(operations, topics, broker, settings, registry.getIfAvailable());
    }
}
