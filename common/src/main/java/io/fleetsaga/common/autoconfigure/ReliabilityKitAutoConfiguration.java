package io.fleetsaga.common.autoconfigure;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.inbox.Inbox;
import io.fleetsaga.common.inbox.InboxCleanup;
import io.fleetsaga.common.inbox.InboxListener;
import io.fleetsaga.common.inbox.InboxSettings;
import io.fleetsaga.common.lease.LeaseListener;
import io.fleetsaga.common.lease.LeaseManager;
import io.fleetsaga.common.messaging.ConsumerSettings;
import io.fleetsaga.common.messaging.DeadLetters;
import io.fleetsaga.common.metrics.InboxMetrics;
import io.fleetsaga.common.metrics.LeaseMetrics;
import io.fleetsaga.common.metrics.OutboxMetrics;
import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.JdbcOutboxWriter;
import io.fleetsaga.common.outbox.OutboxLane;
import io.fleetsaga.common.outbox.OutboxLaneState;
import io.fleetsaga.common.outbox.OutboxListener;
import io.fleetsaga.common.outbox.OutboxRecord;
import io.fleetsaga.common.outbox.OutboxRelay;
import io.fleetsaga.common.outbox.OutboxSettings;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.common.outbox.http.HttpWebhookPublisher;
import io.fleetsaga.common.outbox.http.WebhookSettings;
import io.fleetsaga.common.outbox.http.WebhookTopics;
import io.fleetsaga.common.outbox.kafka.KafkaOutboxPublisher;
import io.fleetsaga.common.outbox.kafka.OutboxProducerConfig;
import io.fleetsaga.common.retry.BackoffPolicy;
import io.fleetsaga.common.tracing.EventTracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.transaction.PlatformTransactionManager;
import tools.jackson.databind.ObjectMapper;

/**
 * Wires the reliability kit into a Spring Boot service: outbox writer, relay and metrics, inbox, leases,
 * and the Kafka consumers' retry and dead-letter handling. Every bean backs off when the application
 * defines its own.
 */
@AutoConfiguration(
        after = {
            DataSourceAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class,
            TransactionAutoConfiguration.class,
            KafkaAutoConfiguration.class
        },
        afterName = {
            // by name: the kit does not depend on JPA (order-service uses it, assignment-service does not)
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration"
        })
@ConditionalOnBean({DataSource.class, PlatformTransactionManager.class})
@EnableConfigurationProperties({OutboxSettings.class, ConsumerSettings.class, InboxSettings.class, WebhookSettings.class
})
public class ReliabilityKitAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EnvelopeCodec envelopeCodec(ObjectProvider<ObjectMapper> mapper) {
        return new EnvelopeCodec(mapper.getIfAvailable(ObjectMapper::new));
    }

    @Bean
    @ConditionalOnMissingBean
    JdbcOutboxStore jdbcOutboxStore(DataSource dataSource, PlatformTransactionManager transactionManager) {
        return new JdbcOutboxStore(dataSource, transactionManager);
    }

    /**
     * Trace context of events without a tracer (see {@code EventTracingAutoConfiguration} for the one on Micrometer
     * Tracing): a consumed event's traceparent is handed on to the events appended while handling it.
     */
    @Bean
    @ConditionalOnMissingBean
    EventTracing eventTracing() {
        return EventTracing.passThrough();
    }

    @Bean
    @ConditionalOnMissingBean
    OutboxWriter outboxWriter(JdbcOutboxStore store, EventTracing eventTracing) {
        return new JdbcOutboxWriter(store, eventTracing);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(MeterRegistry.class)
    OutboxMetrics outboxMetrics(JdbcOutboxStore store, MeterRegistry registry, OutboxSettings settings) {
        return new OutboxMetrics(store, registry, settings.statsInterval());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(MeterRegistry.class)
    InboxMetrics inboxMetrics(MeterRegistry registry) {
        return new InboxMetrics(registry);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(MeterRegistry.class)
    LeaseMetrics leaseMetrics(MeterRegistry registry) {
        return new LeaseMetrics(registry);
    }

    @Bean
    @ConditionalOnMissingBean
    Inbox inbox(
            DataSource dataSource,
            PlatformTransactionManager transactionManager,
            ObjectProvider<InboxListener> listeners) {
        return new Inbox(
                dataSource, transactionManager, listeners.orderedStream().toList());
    }

    @Bean
    @ConditionalOnMissingBean
    InboxCleanup inboxCleanup(Inbox inbox, InboxSettings settings) {
        return new InboxCleanup(inbox, settings);
    }

    @Bean
    @ConditionalOnMissingBean
    LeaseManager leaseManager(
            DataSource dataSource,
            PlatformTransactionManager transactionManager,
            ObjectProvider<LeaseListener> listeners) {
        return new LeaseManager(
                dataSource, transactionManager, listeners.orderedStream().toList());
    }

    /** The relay's own producer: idempotent, acks=all, bounded blocking and delivery time. */
    @Bean
    @ConditionalOnBean(KafkaProperties.class)
    @ConditionalOnMissingBean(name = "outboxKafkaTemplate")
    KafkaTemplate<String, String> outboxKafkaTemplate(KafkaProperties kafka, OutboxSettings settings) {
        return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(
                producerProperties(kafka, settings), new StringSerializer(), new StringSerializer()));
    }

    private static Map<String, Object> producerProperties(KafkaProperties kafka, OutboxSettings settings) {
        return OutboxProducerConfig.enforce(
                kafka.buildProducerProperties(),
                settings.kafka().maxBlock(),
                settings.kafka().deliveryTimeout());
    }

    @Bean
    @ConditionalOnBean(KafkaProperties.class)
    @ConditionalOnMissingBean(name = "outboxRelay")
    @ConditionalOnProperty(name = "fleetsaga.outbox.relay-enabled", havingValue = "true", matchIfMissing = true)
    OutboxRelay outboxRelay(
            JdbcOutboxStore store,
            KafkaTemplate<String, String> outboxKafkaTemplate,
            EnvelopeCodec codec,
            OutboxSettings settings,
            WebhookSettings webhooks,
            ObjectProvider<OutboxListener> listeners) {
        OutboxListener fanOut = fanOut(listeners.orderedStream().toList());
        // Two lanes, two relays: webhook:<endpoint> rows go out by HTTP (webhookOutboxRelay), all others to
        // Kafka here, with the same retries and parking; a slow HTTP receiver never slows the Kafka lane.
        return new OutboxRelay(
                store,
                new KafkaOutboxPublisher(outboxKafkaTemplate, codec),
                settings.withBatchSize(settings.kafka().batchSize()),
                fanOut,
                OutboxLane.excluding("kafka", WebhookTopics.PREFIX));
    }

    /**
     * The webhook lane's relay (see {@link #outboxRelay}), only where a webhook endpoint has a URL: a service
     * without webhooks does not poll for them. A row for an endpoint no instance has configured stays
     * pending and shows in the backlog age.
     */
    @Bean
    @ConditionalOnBean(KafkaProperties.class)
    @Conditional(OnConfiguredWebhook.class)
    @ConditionalOnMissingBean(name = "webhookOutboxRelay")
    @ConditionalOnProperty(name = "fleetsaga.outbox.relay-enabled", havingValue = "true", matchIfMissing = true)
    OutboxRelay webhookOutboxRelay(
            JdbcOutboxStore store,
            OutboxSettings settings,
            WebhookSettings webhooks,
            ObjectProvider<OutboxListener> listeners) {
        OutboxListener fanOut = fanOut(listeners.orderedStream().toList());
        return new OutboxRelay(
                store,
                new HttpWebhookPublisher(webhooks, settings.publishTimeout()),
                settings,
                fanOut,
                OutboxLane.only("webhook", WebhookTopics.PREFIX));
    }

    /** Producer for dead-letter records: the original bytes, unchanged. */
    @Bean
    @ConditionalOnBean(KafkaProperties.class)
    @ConditionalOnMissingBean(name = "deadLetterKafkaTemplate")
    KafkaTemplate<String, byte[]> deadLetterKafkaTemplate(KafkaProperties kafka, OutboxSettings settings) {
        return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(
                producerProperties(kafka, settings), new StringSerializer(), new ByteArraySerializer()));
    }

    /** Matched by name: a service's own {@link BackoffPolicy} beans must not replace the consumers' policy. */
    @Bean
    @ConditionalOnMissingBean(name = "consumerBackoffPolicy")
    BackoffPolicy consumerBackoffPolicy(ConsumerSettings settings) {
        ConsumerSettings.Retry retry = settings.retry();
        return new BackoffPolicy(retry.initialDelay(), retry.multiplier(), retry.maxDelay(), retry.maxAttempts());
    }

    /** Picked up by Spring Boot's default listener container factory. */
    @Bean
    @ConditionalOnBean(KafkaProperties.class)
    @ConditionalOnMissingBean
    CommonErrorHandler kafkaErrorHandler(
            KafkaTemplate<String, byte[]> deadLetterKafkaTemplate,
            @Qualifier("consumerBackoffPolicy") BackoffPolicy consumerBackoffPolicy,
            ConsumerSettings settings,
            ObjectProvider<MeterRegistry> registry) {
        return DeadLetters.errorHandler(
                deadLetterKafkaTemplate, consumerBackoffPolicy, settings.deadLetterSuffix(), registry.getIfAvailable());
    }

    private static OutboxListener fanOut(List<OutboxListener> all) {
        return new OutboxListener() {
            @Override
            public void published(OutboxRecord record) {
                all.forEach(l -> l.published(record));
            }

            @Override
            public void failed(OutboxRecord record, Throwable cause, Duration retryIn) {
                all.forEach(l -> l.failed(record, cause, retryIn));
            }

            @Override
            public void parked(OutboxRecord record, Throwable cause) {
                all.forEach(l -> l.parked(record, cause));
            }

            @Override
            public void deferred(OutboxRecord record, Throwable cause) {
                all.forEach(l -> l.deferred(record, cause));
            }

            @Override
            public void laneChanged(OutboxLaneState state) {
                all.forEach(l -> l.laneChanged(state));
            }
        };
    }

    /** Matches when at least one {@code fleetsaga.outbox.webhooks.<name>.url} is set. */
    static final class OnConfiguredWebhook extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            boolean any = Binder.get(context.getEnvironment())
                    .bind("fleetsaga.outbox.webhooks", Bindable.mapOf(String.class, WebhookSettings.Endpoint.class))
                    .map(endpoints -> endpoints.values().stream().anyMatch(WebhookSettings.Endpoint::configured))
                    .orElse(false);
            return any
                    ? ConditionOutcome.match("a webhook endpoint has a URL")
                    : ConditionOutcome.noMatch("no fleetsaga.outbox.webhooks.<name>.url is set");
        }
    }
}
