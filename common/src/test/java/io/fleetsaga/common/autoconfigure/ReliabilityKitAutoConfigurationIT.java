package io.fleetsaga.common.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.inbox.Inbox;
import io.fleetsaga.common.inbox.InboxCleanup;
import io.fleetsaga.common.lease.LeaseManager;
import io.fleetsaga.common.metrics.InboxMetrics;
import io.fleetsaga.common.metrics.OutboxMetrics;
import io.fleetsaga.common.outbox.OutboxRelay;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.common.outbox.http.WebhookSettings;
import io.fleetsaga.infra.RealInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.listener.CommonErrorHandler;

/** The kit's auto-configuration against the real database and broker. */
class ReliabilityKitAutoConfigurationIT {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class,
                    FlywayAutoConfiguration.class,
                    KafkaAutoConfiguration.class,
                    ReliabilityKitAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues(properties());

    @Test
    void wiresTheWholeKitWhenADataSourceAndKafkaArePresent() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context)
                    .hasSingleBean(OutboxWriter.class)
                    .hasBean("outboxRelay")
                    .doesNotHaveBean("webhookOutboxRelay") // no webhook endpoint configured: no empty polling
                    .hasSingleBean(OutboxMetrics.class)
                    .hasSingleBean(Inbox.class)
                    .hasSingleBean(InboxMetrics.class)
                    .hasSingleBean(InboxCleanup.class)
                    .hasSingleBean(LeaseManager.class)
                    .hasSingleBean(CommonErrorHandler.class);
            assertThat(context.getBean("outboxRelay", OutboxRelay.class).isRunning())
                    .isTrue();
            assertThat(context.getBean(MeterRegistry.class)
                            .find("outbox.events.pending")
                            .gauge())
                    .isNotNull();
            assertThat(context.getBean(MeterRegistry.class)
                            .find("outbox.lane.backing.off")
                            .tag("lane", "kafka")
                            .gauge())
                    .as("the relay's lane is exported from the start (the alert needs the series)")
                    .isNotNull();
        });
    }

    @Test
    void theRelayCanBeSwitchedOffPerInstance() {
        runner.withPropertyValues("fleetsaga.outbox.relay-enabled=false").run(context -> {
            assertThat(context)
                    .hasNotFailed()
                    .doesNotHaveBean(OutboxRelay.class)
                    .hasSingleBean(OutboxWriter.class);
        });
    }

    @Test
    void refusesAClaimTimeoutThatDoesNotCoverThePublishTimeout() {
        runner.withPropertyValues("fleetsaga.outbox.claim-timeout=5s", "fleetsaga.outbox.publish-timeout=20s")
                .run(context ->
                        assertThat(context).getFailure().rootCause().hasMessageContaining("claim-timeout must exceed"));
    }

    @Test
    void bindsWebhookEndpointsWithBoundedDefaultTimeoutsAndTreatsABlankUrlAsNotConfigured() {
        runner.withPropertyValues(
                        "fleetsaga.outbox.webhooks.courier.url=http://127.0.0.1:9/hook",
                        "fleetsaga.outbox.webhooks.audit.url=")
                .run(context -> {
                    assertThat(context)
                            .hasNotFailed()
                            .getBeans(OutboxRelay.class)
                            .hasSize(2);
                    WebhookSettings webhooks = context.getBean(WebhookSettings.class);
                    assertThat(webhooks.endpoint("courier")).hasValueSatisfying(endpoint -> {
                        assertThat(endpoint.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
                        assertThat(endpoint.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
                    });
                    assertThat(webhooks.endpoint("audit")).isEmpty();
                    assertThat(webhooks.endpoint("unknown")).isEmpty();
                });
    }

    @Test
    void refusesWebhookTimeoutsThatDoNotFitThePublishTimeout() {
        runner.withPropertyValues(
                        "fleetsaga.outbox.webhooks.courier.url=http://127.0.0.1:9/hook",
                        "fleetsaga.outbox.webhooks.courier.request-timeout=30s")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("must stay below fleetsaga.outbox.publish-timeout"));
    }

    private static String[] properties() {
        String schema = "kit_autoconfig_" + UUID.randomUUID().toString().substring(0, 8);
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> entry :
                RealInfrastructure.get().springProperties(schema).entrySet()) {
            values.add(entry.getKey() + "=" + entry.getValue());
        }
        values.add("spring.flyway.locations=classpath:db/kit");
        return values.toArray(String[]::new);
    }
}
