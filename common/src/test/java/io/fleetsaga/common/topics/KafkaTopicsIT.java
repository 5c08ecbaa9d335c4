package io.fleetsaga.common.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.messaging.BoundedAdmin;
import io.fleetsaga.common.topics.TopicSafetyCheck.TopicReport;
import io.fleetsaga.infra.RealInfrastructure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaAdmin;

/** The declaration and the safety check against the real (single) broker. */
class KafkaTopicsIT {

    private static Admin admin;
    private static KafkaAdmin kafkaAdmin;

    @BeforeAll
    static void broker() {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                RealInfrastructure.get().kafka().bootstrapServers());
        admin = Admin.create(config);
        kafkaAdmin = new KafkaAdmin(config);
    }

    @AfterAll
    static void close() {
        admin.close(Duration.ofSeconds(5));
    }

    @Test
    void reportsATopicWhoseReplicationFactorIsBelowItsMinInsyncReplicasAsUnsafe() throws Exception {
        String unsafe = unique("unsafe");
        String safe = unique("safe");
        String missing = unique("missing");
        admin.createTopics(List.of(
                        topic(unsafe, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2"),
                        topic(safe, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1")))
                .all()
                .get();

        try (BoundedAdmin bounded = new BoundedAdmin(kafkaAdmin, Duration.ofSeconds(10))) {
            TopicSafetyCheck.Result result = new TopicSafetyCheck(bounded).check(List.of(unsafe, safe, missing));

            assertThat(result.reports())
                    .containsEntry(unsafe, new TopicReport(unsafe, 1, 2, TopicSafety.UNSAFE))
                    .containsEntry(safe, new TopicReport(safe, 1, 1, TopicSafety.SAFE))
                    .hasSize(2);
            assertThat(result.missing()).containsExactly(missing);
        }
    }

    @Test
    void declaresTheOwnedTopicsAfterStartupAndSetsTheGauge() throws Exception {
        String produced = unique("events");
        String consumed = unique("consumed");
        String alreadyUnsafe = unique("legacy");
        admin.createTopics(List.of(topic(alreadyUnsafe, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2")))
                .all()
                .get();
        OwnedTopics owned = new OwnedTopics(java.util.Set.of(produced, alreadyUnsafe), java.util.Set.of(consumed));
        TopicDeclarations declarations = new TopicDeclarations(
                owned, new KafkaTopicSettings(2, (short) 1, 1, true), ".DLT", Duration.ofDays(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaTopicsStartup startup =
                new KafkaTopicsStartup(kafkaAdmin, declarations, owned.names(".DLT"), Duration.ofSeconds(10), registry);
        try {
            assertThat(registry.get("kafka.topic.unsafe")
                            .tag("topic", produced)
                            .gauge()
                            .value())
                    .isNaN();

            startup.start();

            await().atMost(Duration.ofSeconds(60)).until(startup::done);
            assertThat(admin.describeTopics(List.of(produced))
                            .allTopicNames()
                            .get()
                            .get(produced)
                            .partitions())
                    .hasSize(2);
            Config dlt = config(consumed + ".DLT");
            assertThat(dlt.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("2592000000");
            assertThat(dlt.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()).isEqualTo("1");
            assertThat(config(produced)
                            .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)
                            .value())
                    .isEqualTo("1");
            assertThat(registry.get("kafka.topic.unsafe")
                            .tag("topic", produced)
                            .gauge()
                            .value())
                    .isZero();
            assertThat(registry.get("kafka.topic.unsafe")
                            .tag("topic", consumed + ".DLT")
                            .gauge()
                            .value())
                    .isZero();
            // an existing topic keeps its configuration: reported, not changed
            assertThat(registry.get("kafka.topic.unsafe")
                            .tag("topic", alreadyUnsafe)
                            .gauge()
                            .value())
                    .isEqualTo(1.0);
        } finally {
            startup.destroy();
        }
    }

    private static Config config(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }

    private static NewTopic topic(String name, String key, String value) {
        return new NewTopic(name, 1, (short) 1).configs(Map.of(key, value));
    }

    private static String unique(String prefix) {
        return "topics-it." + prefix + "." + UUID.randomUUID().toString().substring(0, 8);
    }
}
