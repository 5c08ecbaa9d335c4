package io.fleetsaga.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.RealInfrastructure;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.backoff.FixedBackOff;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * I-4 against the real broker: a listener that stops consuming — stopped, paused too long, or with a dead
 * consumer thread — turns {@code /actuator/health} DOWN and its {@code kafka_listener_up} gauge to 0 until it
 * consumes again.
 */
@AutoConfigureTestRestTemplate
@SpringBootTest(
        classes = ListenerHealthIT.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.kafka.consumer.auto-offset-reset=earliest",
            "fleetsaga.consumer.health.max-pause=3s",
            "fleetsaga.consumer.health.check-interval=100ms",
            "fleetsaga.consumer.health.optional-listeners=reports",
            "management.endpoint.health.show-details=always",
            "management.endpoints.web.exposure.include=health,prometheus"
        })
@AutoConfigureMetrics
class ListenerHealthIT {

    private static final String TOPIC = "listener.health." + UUID.randomUUID();
    private static final String GROUP = "listener-health-" + UUID.randomUUID();
    private static final String LISTENER = "parcels";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add(
                "spring.kafka.bootstrap-servers",
                () -> RealInfrastructure.get().kafka().bootstrapServers());
        registry.add("spring.kafka.consumer.group-id", () -> GROUP);
        registry.add("test.topic", () -> TOPIC);
    }

    @Autowired
    TestRestTemplate http;

    @Autowired
    KafkaListenerEndpointRegistry registry;

    @Autowired
    KafkaTemplate<String, String> kafka;

    @Autowired
    Parcels parcels;

    @Autowired
    CountingInterceptor applicationInterceptor;

    @Autowired
    CommonErrorHandler errorHandler;

    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void consumingAgain() {
        MessageListenerContainer container = registry.getListenerContainer(LISTENER);
        container.resume();
        if (!(container.isRunning() && container.isInExpectedState() && allConsumersRunning(container))) {
            container.stop();
            container.start();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(health().status).isEqualTo(200));
    }

    @Test
    void aConsumingListenerIsUpWithItsPartitionsRecordsAndLag() throws Exception {
        List<String> sent = send("a", "b", "c", "d");
        await().atMost(WAIT).until(() -> parcels.received.containsAll(sent));

        await().atMost(WAIT).untilAsserted(() -> {
            Health health = health();
            assertThat(health.status).isEqualTo(200);
            JsonNode listener = health.listener(LISTENER);
            assertThat(listener.path("status").asText()).isEqualTo("UP");
            assertThat(listener.path("running").asBoolean()).isTrue();
            assertThat(listener.path("consumers").asText()).isEqualTo("2/2");
            assertThat(listener.path("assignedPartitions")).hasSize(2);
            assertThat(listener.path("records").asLong()).isGreaterThanOrEqualTo(4);
            assertThat(listener.path("lastRecordAgeSeconds").asLong()).isLessThan(60);
            assertThat(listener.path("lag").path(TOPIC + "-0").asLong(-1)).isZero();
            assertThat(listener.path("lag").path(TOPIC + "-1").asLong(-1)).isZero();
        });

        await().atMost(WAIT).untilAsserted(() -> {
            String scrape = scrape();
            assertThat(metric(scrape, "kafka_listener_up", "listener", LISTENER))
                    .contains(1.0);
            assertThat(metric(scrape, "kafka_listener_paused", "listener", LISTENER))
                    .contains(0.0);
            assertThat(metric(scrape, "kafka_listener_records_total", "listener", LISTENER))
                    .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(4));
            assertThat(metric(scrape, "kafka_listener_last_record_age_seconds", "listener", LISTENER))
                    .hasValueSatisfying(v -> assertThat(v).isBetween(0.0, 60.0));
            for (String partition : List.of("0", "1")) {
                assertThat(metric(
                                scrape,
                                "kafka_consumer_lag_records",
                                "listener",
                                LISTENER,
                                "topic",
                                TOPIC,
                                "partition",
                                partition))
                        .contains(0.0);
            }
            // Spring Boot's own Kafka client metrics are there too, per client id (docs/listener-health.md)
            assertThat(scrape)
                    .contains("kafka_consumer_fetch_manager_records_lag_max{")
                    .contains("kafka_consumer_fetch_manager_records_consumed_total{");
        });

        // the tracking interceptor sits in front of the application's interceptor, the error handler is untouched
        assertThat(applicationInterceptor.records.get()).isGreaterThanOrEqualTo(4);
        assertThat(((AbstractMessageListenerContainer<?, ?>) registry.getListenerContainer(LISTENER))
                        .getCommonErrorHandler())
                .isSameAs(errorHandler);
    }

    @Test
    void aListenerSwitchedOffIsDownAndItsGaugeZeroUntilItConsumesAgain() throws Exception {
        registry.getListenerContainer(LISTENER).stop();

        await().atMost(WAIT).untilAsserted(() -> {
            Health health = health();
            assertThat(health.status).isEqualTo(503);
            assertThat(health.indicator.path("status").asText()).isEqualTo("DOWN");
            assertThat(health.listener(LISTENER).path("problem").asText()).isEqualTo("stopped");
            String scrape = scrape();
            assertThat(metric(scrape, "kafka_listener_up", "listener", LISTENER))
                    .contains(0.0);
            assertThat(metric(scrape, "kafka_consumer_lag_records", "listener", LISTENER))
                    .isEmpty();
        });
        List<String> sent = send("while-stopped");

        registry.getListenerContainer(LISTENER).start();

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(health().status).isEqualTo(200);
            assertThat(metric(scrape(), "kafka_listener_up", "listener", LISTENER))
                    .contains(1.0);
        });
        await().atMost(WAIT).until(() -> parcels.received.containsAll(sent));
    }

    @Test
    void aListenerPausedForLongerThanMaxPauseIsDown() {
        registry.getListenerContainer(LISTENER).pause();

        Health briefly = health();
        assertThat(briefly.status)
                .as("a short pause is back-pressure, not an outage")
                .isEqualTo(200);
        assertThat(briefly.listener(LISTENER).path("paused").asBoolean()).isTrue();
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(metric(scrape(), "kafka_listener_paused", "listener", LISTENER))
                        .contains(1.0));

        await().atMost(WAIT).untilAsserted(() -> {
            Health health = health();
            assertThat(health.status).isEqualTo(503);
            assertThat(health.listener(LISTENER).path("problem").asText())
                    .isEqualTo("paused for longer than max-pause (3.0s)");
            assertThat(health.listener(LISTENER).path("pausedForSeconds").asLong())
                    .isGreaterThanOrEqualTo(3);
        });

        registry.getListenerContainer(LISTENER).resume();

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(health().status).isEqualTo(200);
            assertThat(metric(scrape(), "kafka_listener_paused", "listener", LISTENER))
                    .contains(0.0);
        });
    }

    @Test
    void aDeadConsumerThreadIsDownAlthoughItsContainerStillRuns() {
        ConcurrentMessageListenerContainer<?, ?> container =
                (ConcurrentMessageListenerContainer<?, ?>) registry.getListenerContainer(LISTENER);
        await().atMost(WAIT).until(() -> allConsumersRunning(container));

        // what the container does itself when its consumer thread ends with a fatal error
        container.getContainers().get(0).stopAbnormally(() -> {});

        assertThat(container.isRunning()).isTrue();
        await().atMost(WAIT).untilAsserted(() -> {
            Health health = health();
            assertThat(health.status).isEqualTo(503);
            assertThat(health.listener(LISTENER).path("problem").asText()).isEqualTo("1 of 2 consumers stopped");
            assertThat(metric(scrape(), "kafka_listener_up", "listener", LISTENER))
                    .contains(0.0);
        });
    }

    @Test
    void anOptionalListenerIsReportedButMayBeOff() {
        Health health = health();

        assertThat(health.status).isEqualTo(200);
        JsonNode reports = health.listener("reports");
        assertThat(reports.path("status").asText()).isEqualTo("DOWN");
        assertThat(reports.path("optional").asBoolean()).isTrue();
        assertThat(reports.path("problem").asText()).isEqualTo("stopped (auto-startup is off)");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(metric(scrape(), "kafka_listener_up", "listener", "reports"))
                        .contains(0.0));
    }

    private List<String> send(String... keys) throws Exception {
        List<String> values = new CopyOnWriteArrayList<>();
        for (String key : keys) {
            String value = key + "-" + UUID.randomUUID();
            kafka.send(TOPIC, key, value).get(10, TimeUnit.SECONDS);
            values.add(value);
        }
        return values;
    }

    private static boolean allConsumersRunning(MessageListenerContainer container) {
        return !(container instanceof ConcurrentMessageListenerContainer<?, ?> concurrent)
                || concurrent.getContainers().stream().allMatch(MessageListenerContainer::isRunning);
    }

    private Health health() {
        ResponseEntity<String> response = http.getForEntity("/actuator/health", String.class);
        try {
            JsonNode body = json.readTree(response.getBody());
            return new Health(
                    response.getStatusCode().value(), body.path("components").path("kafkaListeners"));
        } catch (Exception e) {
            throw new AssertionError("not a health document: " + response.getBody(), e);
        }
    }

    private record Health(int status, JsonNode indicator) {
        JsonNode listener(String id) {
            return indicator.path("details").path(id);
        }
    }

    private String scrape() {
        return http.getForObject("/actuator/prometheus", String.class);
    }

    /** The value of the first series of {@code name} carrying all the given labels. */
    private static Optional<Double> metric(String scrape, String name, String... labels) {
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            String series = line.substring(0, line.lastIndexOf('}') + 1);
            boolean matches = true;
            for (int i = 0; i < labels.length; i += 2) {
                matches &= series.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (matches) {
                return Optional.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return Optional.empty();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration(exclude = DataSourceAutoConfiguration.class)
    static class App {

        @Bean
        NewTopic topic(@Value("${test.topic}") String topic) {
            return TopicBuilder.name(topic).partitions(2).replicas(1).build();
        }

        /** Stands in for the kit's dead-letter error handler, which Spring Boot puts on its factory. */
        @Bean
        CommonErrorHandler errorHandler() {
            return new DefaultErrorHandler(new FixedBackOff(0, 0));
        }

        @Bean
        CountingInterceptor applicationInterceptor() {
            return new CountingInterceptor();
        }

        @Bean
        Parcels parcels() {
            return new Parcels();
        }
    }

    /** An application's own interceptor: it must keep working next to the tracking one. */
    static class CountingInterceptor implements RecordInterceptor<Object, Object> {

        final AtomicInteger records = new AtomicInteger();

        @Override
        public ConsumerRecord<Object, Object> intercept(
                ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
            records.incrementAndGet();
            return record;
        }
    }

    static class Parcels {

        final List<String> received = new CopyOnWriteArrayList<>();

        @KafkaListener(id = LISTENER, idIsGroup = false, topics = "${test.topic}", concurrency = "2")
        void on(String value) {
            received.add(value);
        }

        /** Switched off on purpose and declared optional. */
        @KafkaListener(id = "reports", idIsGroup = false, topics = "${test.topic}", autoStartup = "false")
        void report(String value) {}
    }
}
