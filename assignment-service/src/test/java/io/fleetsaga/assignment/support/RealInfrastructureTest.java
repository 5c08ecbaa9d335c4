package io.fleetsaga.assignment.support;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.testing.OpenApiValidation;
import io.fleetsaga.infra.RealInfrastructure;
import io.fleetsaga.infra.SpringInfrastructure;
import io.fleetsaga.infra.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Base of every integration test: assignment-service on the real database and broker.
 *
 * <p>All subclasses share <em>one</em> application context (same configuration, same schema). That matters:
 * a cached context of another test class would keep its listeners running in the same consumer group and
 * take partitions — and messages — away from the context under test. Tests stay independent through fresh
 * order, task and saga ids.
 *
 * <p>Every HTTP call goes through {@link #httpAs}, the one place to add credentials, and where every response of
 * the API is validated against the checked-in docs/openapi/assignment-service.json (the contract test,
 * {@link OpenApiValidation}).
 */
@AutoConfigureTestRestTemplate
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "fleetsaga.consumer.retry.initial-delay=10ms",
            "fleetsaga.consumer.retry.max-delay=500ms",
            "fleetsaga.consumer.retry.max-attempts=10",
            "fleetsaga.consumer.dead-letters.refresh-interval=1s",
            "fleetsaga.outbox.poll-interval=50ms",
            // courier notifications go to COURIER_APP (below); short, so that a test can make it time out quickly
            "fleetsaga.outbox.webhooks.courier.connect-timeout=1s",
            "fleetsaga.outbox.webhooks.courier.request-timeout=1s",
            // short, so that a test can provoke a lock wait timeout without waiting for the production 5 s
            "spring.datasource.hikari.connection-init-sql=SET SESSION innodb_lock_wait_timeout = 1"
        })
@AutoConfigureMetrics
@AutoConfigureTracing
public abstract class RealInfrastructureTest {

    public static final String ORDER_EVENTS = "fleet.order.events";
    public static final String ASSIGNMENT_EVENTS = "fleet.assignment.events";
    public static final String ORDER_EVENTS_DLT = "fleet.order.events.DLT";

    private static final String SCHEMA =
            "assignment_it_" + UUID.randomUUID().toString().substring(0, 8);
    private static final EnvelopeCodec CODEC = new EnvelopeCodec();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenApiValidation CONTRACT = OpenApiValidation.of("assignment-service.json");

    /**
     * The courier app's webhook receiver, one for the test JVM like the context: every test's courier
     * notifications arrive here (applied by default); a test scripts failures for its own couriers only.
     */
    protected static final WebhookReceiver COURIER_APP = WebhookReceiver.start();

    protected static KafkaProducer<String, byte[]> producer;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SpringInfrastructure.register(registry, SCHEMA);
        registry.add(
                "fleetsaga.outbox.webhooks.courier.url", () -> COURIER_APP.url().toString());
    }

    @BeforeAll
    static void openProducer() {
        producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        RealInfrastructure.get().kafka().bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterAll
    static void closeProducer() {
        producer.close();
    }

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    private TestRestTemplate rest;

    /** The one route of every HTTP call in the tests (credentials go here once the API is secured). */
    protected ResponseEntity<String> http(HttpMethod method, String path, String jsonBody) {
        return httpAs("dispatcher", method, path, jsonBody);
    }

    /**
     * Calls as one of the test users ({@code dispatcher}, {@code ops}, {@code service}; see
     * src/test/resources/config/application.yml), or anonymously with {@code null}.
     */
    protected ResponseEntity<String> httpAs(String user, HttpMethod method, String path, String jsonBody) {
        HttpHeaders headers = new HttpHeaders();
        if (jsonBody != null) {
            headers.setContentType(MediaType.APPLICATION_JSON);
        }
        TestRestTemplate client = user == null ? rest : rest.withBasicAuth(user, user + "-test");
        ResponseEntity<String> response =
                client.exchange(path, method, new HttpEntity<>(jsonBody, headers), String.class);
        Map<String, List<String>> responseHeaders = new HashMap<>();
        response.getHeaders().forEach(responseHeaders::put);
        CONTRACT.check(method.name(), path, response.getStatusCode().value(), responseHeaders, response.getBody());
        return response;
    }

    /** Creates an open task through the API and returns its id. */
    protected String createTask(int capacity) {
        return createTask(capacity, "c-1");
    }

    /** Creates an open task of {@code courierId} through the API and returns its id. */
    protected String createTask(int capacity, String courierId) {
        String taskId = "t-" + UUID.randomUUID();
        ResponseEntity<String> created = http(
                HttpMethod.POST,
                "/api/tasks",
                "{\"taskId\":\"" + taskId + "\",\"courierId\":\"" + courierId + "\",\"capacity\":" + capacity + "}");
        if (created.getStatusCode().value() != 201) {
            throw new IllegalStateException("task not created: " + created);
        }
        return taskId;
    }

    protected static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }

    /** Publishes {@code envelope} to fleet.order.events keyed by its order id, and waits for the broker. */
    protected static RecordMetadata send(EventEnvelope envelope) {
        return send(new ProducerRecord<>(ORDER_EVENTS, envelope.aggregateId(), bytes(envelope)));
    }

    /** Publishes {@code envelope} to one partition of fleet.order.events (a barrier behind earlier records). */
    protected static RecordMetadata sendTo(int partition, EventEnvelope envelope) {
        return send(new ProducerRecord<>(ORDER_EVENTS, partition, envelope.aggregateId(), bytes(envelope)));
    }

    /** Publishes all, in this order (per order id: per partition), and waits for the broker's acknowledgements. */
    protected static void sendAll(List<EventEnvelope> envelopes) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (EventEnvelope envelope : envelopes) {
            sent.add(producer.send(new ProducerRecord<>(ORDER_EVENTS, envelope.aggregateId(), bytes(envelope))));
        }
        producer.flush();
        for (Future<RecordMetadata> future : sent) {
            await(future);
        }
    }

    protected static RecordMetadata send(ProducerRecord<String, byte[]> record) {
        return await(producer.send(record));
    }

    private static RecordMetadata await(Future<RecordMetadata> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    protected static byte[] bytes(EventEnvelope envelope) {
        return CODEC.encode(envelope).getBytes(StandardCharsets.UTF_8);
    }

    protected static EventEnvelope decode(String value) {
        return CODEC.decode(value);
    }
}
