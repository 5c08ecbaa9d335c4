package io.fleetsaga.assignment.deadletter;

import static io.fleetsaga.assignment.support.OrderEvents.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.RealInfrastructureTest;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.infra.RealInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;

/**
 * Dead letters you can act on (issue 9, failure mode 4), against the real broker and database: a record lands in
 * {@code fleet.order.events.DLT}, the ops API lists it with its error, the pending gauge counts it, a replay applies it
 * once (a second one is refused, a forced one is skipped by the inbox), unreadable records show their first bytes, and
 * the dead-letter topic keeps records for the configured retention.
 */
class DeadLetterOpsIT extends RealInfrastructureTest {

    static final String DLT = ORDER_EVENTS_DLT;
    static final String API = "/api/ops/dead-letters";

    @Test
    void aRecordThatFailedUntilItsCauseWasFixedIsListedReplayedAndAppliedOnce() throws Exception {
        String taskId = createTask(5);
        String orderId = "o-" + UUID.randomUUID();
        EventEnvelope assigned = state(orderId, taskId, "ASSIGNED", 2);
        RecordMetadata sent;
        JsonNode letter;
        // the cause: a task counter at the column's limit, so every attempt of the increment fails (out of range) —
        // a failure of the record against this state, not of the transport or of contention (those never dead-letter)
        jdbc.update("UPDATE assignment_task SET assigned_count = 2147483647 WHERE id = ?", taskId);
        sent = send(assigned);
        letter = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> deadLetterOf(orderId), found -> found != null);
        jdbc.update("UPDATE assignment_task SET assigned_count = 0 WHERE id = ?", taskId); // the cause is gone

        assertThat(letter.path("originalTopic").asText()).isEqualTo(ORDER_EVENTS);
        assertThat(letter.path("originalPartition").asInt()).isEqualTo(sent.partition());
        assertThat(letter.path("originalOffset").asLong()).isEqualTo(sent.offset());
        assertThat(letter.path("exceptionClass").asText()).isNotBlank();
        assertThat(letter.path("exceptionMessage").asText())
                .as(letter.toString())
                .containsIgnoringCase("out of range");
        assertThat(letter.path("valueText").asText())
                .contains(orderId)
                .contains(assigned.eventId().toString());
        assertThat(letter.path("handled").isNull()).isTrue();
        assertThat(linkOf(orderId)).isEmpty();
        double pending = await().atMost(Duration.ofSeconds(30)).until(() -> pendingGauge(), value -> value >= 1);

        String replay = API + "/" + DLT + "/" + letter.path("partition").asInt() + "/"
                + letter.path("offset").asLong() + "/replay";
        ResponseEntity<String> replayed = httpAs("ops", HttpMethod.POST, replay, null);
        assertThat(replayed.getStatusCode().value()).as(replayed.getBody()).isEqualTo(200);
        assertThat(json(replayed.getBody()).path("topic").asText()).isEqualTo(ORDER_EVENTS);

        await().atMost(Duration.ofSeconds(30)).until(() -> !linkOf(orderId).isEmpty());
        assertThat(linkOf(orderId)).containsExactly("ASSIGNED@2");
        assertThat(assignedCount(taskId)).isEqualTo(1);
        assertThat(processed(assigned)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> pendingGauge() == pending - 1);
        JsonNode after = deadLetterOf(orderId);
        assertThat(after.path("handled").asText()).isEqualTo("REPLAYED");
        assertThat(after.path("replayedTo").asText()).startsWith(ORDER_EVENTS + "-");

        ResponseEntity<String> again = httpAs("ops", HttpMethod.POST, replay, null);
        assertThat(again.getStatusCode().value()).isEqualTo(409);
        assertThat(again.getHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(json(again.getBody()).path("type").asText()).isEqualTo("urn:fleet-saga:problem:dead-letter-handled");

        double duplicates = duplicatesCounter();
        ResponseEntity<String> forced = httpAs("ops", HttpMethod.POST, replay + "?force=true", null);
        assertThat(forced.getStatusCode().value()).as(forced.getBody()).isEqualTo(200);
        assertThat(json(forced.getBody()).path("again").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> duplicatesCounter() > duplicates);
        assertThat(linkOf(orderId)).containsExactly("ASSIGNED@2");
        assertThat(assignedCount(taskId)).as("applied once").isEqualTo(1);
        assertThat(processed(assigned)).isEqualTo(1);
        assertThat(metrics())
                .contains("kafka_dead_letters_replayed_total{application=\"assignment-service\",topic=\"" + ORDER_EVENTS
                        + "\"}");

        // a replay claimed by an instance that died while publishing: refused while fresh, taken over once abandoned
        Object[] where = {
            DLT, letter.path("partition").asInt(), letter.path("offset").asLong()
        };
        jdbc.update(
                "UPDATE dead_letter_action SET action = 'REPLAYING', acted_at = UTC_TIMESTAMP(6)"
                        + " WHERE topic = ? AND kafka_partition = ? AND kafka_offset = ?",
                where);
        assertThat(httpAs("ops", HttpMethod.POST, replay + "?force=true", null)
                        .getStatusCode()
                        .value())
                .isEqualTo(409);
        jdbc.update(
                "UPDATE dead_letter_action SET acted_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR"
                        + " WHERE topic = ? AND kafka_partition = ? AND kafka_offset = ?",
                where);
        assertThat(httpAs("ops", HttpMethod.POST, replay + "?force=true", null)
                        .getStatusCode()
                        .value())
                .isEqualTo(200);
        assertThat(deadLetterOf(orderId).path("handled").asText()).isEqualTo("REPLAYED");
        await().atMost(Duration.ofSeconds(30)).until(() -> duplicatesCounter() > duplicates + 1);
        assertThat(assignedCount(taskId)).as("still applied once").isEqualTo(1);
    }

    @Test
    void anUnreadableRecordIsDeadLetteredWithItsFirstBytesAndCanBeDiscardedOrReplayedWithAllOthers() {
        String text = "o-" + UUID.randomUUID();
        String binary = "o-" + UUID.randomUUID();
        send(new ProducerRecord<>(
                ORDER_EVENTS, text, ("{not an envelope " + "x".repeat(600)).getBytes(StandardCharsets.UTF_8)));
        byte[] garbage = new byte[700];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (0xF0 + i % 16);
        }
        send(new ProducerRecord<>(ORDER_EVENTS, binary, garbage));

        JsonNode textLetter = await().atMost(Duration.ofSeconds(30)).until(() -> deadLetterOf(text), l -> l != null);
        JsonNode binaryLetter =
                await().atMost(Duration.ofSeconds(30)).until(() -> deadLetterOf(binary), l -> l != null);
        assertThat(textLetter.path("exceptionClass").asText()).isNotBlank();
        assertThat(textLetter.path("exceptionCauseClass").asText()).endsWith("MalformedEventException");
        assertThat(textLetter.path("valueSize").asInt()).isEqualTo(617);
        assertThat(textLetter.path("valueTruncated").asBoolean()).isTrue();
        assertThat(textLetter.path("valueText").asText())
                .startsWith("{not an envelope")
                .hasSize(512);
        assertThat(binaryLetter.path("valueText").isNull()).isTrue();
        assertThat(java.util.Base64.getDecoder()
                        .decode(binaryLetter.path("valueBase64").asText()))
                .hasSize(512)
                .startsWith((byte) 0xF0, (byte) 0xF1);

        String discard = API + "/" + DLT + "/" + binaryLetter.path("partition").asInt() + "/"
                + binaryLetter.path("offset").asLong() + "/discard";
        assertThat(httpAs("ops", HttpMethod.POST, discard, null).getStatusCode().value())
                .isEqualTo(200);
        assertThat(httpAs("ops", HttpMethod.POST, discard, null).getStatusCode().value())
                .isEqualTo(409);
        assertThat(deadLetterOf(binary).path("handled").asText()).isEqualTo("DISCARDED");

        // all: up to today's end offsets, skipping what was handled; the unreadable one fails again and comes back
        ResponseEntity<String> all = httpAs("ops", HttpMethod.POST, API + "/replay?topic=" + DLT, null);
        assertThat(all.getStatusCode().value()).as(all.getBody()).isEqualTo(200);
        JsonNode result = json(all.getBody());
        assertThat(result.path("complete").asBoolean()).isTrue();
        assertThat(result.path("replayed").asInt()).isPositive();
        assertThat(result.path("skipped").asInt()).isPositive();
        assertThat(sameAs(textLetter).path("handled").asText()).isEqualTo("REPLAYED");
        assertThat(sameAs(binaryLetter).path("handled").asText()).isEqualTo("DISCARDED");
        String from = DLT + "-" + textLetter.path("partition").asInt() + "@"
                + textLetter.path("offset").asLong();
        JsonNode back = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> deadLettersOf(text).stream()
                                .filter(l -> from.equals(l.path("replayedFrom").asText()))
                                .findFirst()
                                .orElse(null),
                        l -> l != null);
        assertThat(back.path("handled").isNull())
                .as("a new dead letter, pending")
                .isTrue();
        assertThat(deadLettersOf(binary)).hasSize(1);

        // a second replay of all does not loop on it forever either: it replays only what is pending now
        ResponseEntity<String> second = httpAs("ops", HttpMethod.POST, API + "/replay?topic=" + DLT, null);
        assertThat(json(second.getBody()).path("complete").asBoolean()).isTrue();
    }

    @Test
    void deadLetterTopicsKeepTheirRecordsForTheConfiguredRetention() {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                RealInfrastructure.get().kafka().bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, DLT);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                Config config =
                        admin.describeConfigs(List.of(topic)).all().get().get(topic);
                assertThat(config.get("retention.ms").value())
                        .isEqualTo(Long.toString(Duration.ofDays(30).toMillis()));
            });
        }
        JsonNode topics =
                json(httpAs("ops", HttpMethod.GET, API, null).getBody()).path("topics");
        assertThat(topics).hasSize(1);
        assertThat(topics.get(0).path("topic").asText()).isEqualTo(DLT);
        assertThat(topics.get(0).path("originalTopic").asText()).isEqualTo(ORDER_EVENTS);
        assertThat(topics.get(0).path("partitions")).isNotEmpty();
    }

    @Test
    void theApiAnswersBadInputWithProblemsAndOnlyToOps() {
        ResponseEntity<String> unknown = httpAs("ops", HttpMethod.GET, API + "/fleet.assignment.events/0", null);
        assertThat(unknown.getStatusCode().value()).isEqualTo(400);
        assertThat(unknown.getHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(json(unknown.getBody()).path("type").asText())
                .isEqualTo("urn:fleet-saga:problem:dead-letter-topic-unknown");

        ResponseEntity<String> missing =
                httpAs("ops", HttpMethod.POST, API + "/" + DLT + "/0/" + Long.MAX_VALUE + "/replay", null);
        assertThat(missing.getStatusCode().value()).isEqualTo(404);
        assertThat(json(missing.getBody()).path("type").asText())
                .isEqualTo("urn:fleet-saga:problem:dead-letter-not-found");

        assertThat(httpAs("ops", HttpMethod.GET, API + "/" + DLT + "/0?limit=0", null)
                        .getStatusCode()
                        .value())
                .isEqualTo(400);
        assertThat(httpAs("ops", HttpMethod.GET, API + "/" + DLT + "/zero", null)
                        .getStatusCode()
                        .value())
                .isEqualTo(400);
        assertThat(httpAs("ops", HttpMethod.POST, API + "/replay?limit=0", null)
                        .getStatusCode()
                        .value())
                .isEqualTo(400);
        assertThat(httpAs("dispatcher", HttpMethod.GET, API, null)
                        .getStatusCode()
                        .value())
                .isEqualTo(403);
        assertThat(httpAs(null, HttpMethod.GET, API, null).getStatusCode().value())
                .isEqualTo(401);
    }

    /** The latest dead letter with this key, through the ops API; null if there is none. */
    private JsonNode deadLetterOf(String key) {
        List<JsonNode> all = deadLettersOf(key);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** The dead letter as it is now listed (same topic, partition and offset as {@code letter}). */
    private JsonNode sameAs(JsonNode letter) {
        return deadLettersOf(letter.path("key").asText()).stream()
                .filter(l -> l.path("partition").asInt()
                                == letter.path("partition").asInt()
                        && l.path("offset").asLong() == letter.path("offset").asLong())
                .findFirst()
                .orElseThrow();
    }

    private List<JsonNode> deadLettersOf(String key) {
        List<JsonNode> found = new ArrayList<>();
        ResponseEntity<String> topics = httpAs("ops", HttpMethod.GET, API, null);
        assertThat(topics.getStatusCode().value()).as(topics.getBody()).isEqualTo(200);
        for (JsonNode topic : json(topics.getBody()).path("topics")) {
            for (JsonNode partition : topic.path("partitions")) {
                String next = partition.path("startOffset").asText();
                while (next != null) {
                    ResponseEntity<String> page = httpAs(
                            "ops",
                            HttpMethod.GET,
                            API + "/" + topic.path("topic").asText() + "/"
                                    + partition.path("partition").asInt() + "?limit=500&from=" + next,
                            null);
                    assertThat(page.getStatusCode().value()).as(page.getBody()).isEqualTo(200);
                    JsonNode body = json(page.getBody());
                    body.path("records").forEach(r -> {
                        if (key.equals(r.path("key").asText())) {
                            found.add(r);
                        }
                    });
                    next = body.path("nextOffset").isNull()
                            ? null
                            : body.path("nextOffset").asText();
                }
            }
        }
        return found;
    }

    private String metrics() {
        return http(HttpMethod.GET, "/actuator/prometheus", null).getBody();
    }

    private double pendingGauge() {
        return gauge("kafka_dead_letters_pending\\{application=\"assignment-service\",topic=\""
                + Pattern.quote(ORDER_EVENTS) + "\"}");
    }

    private double duplicatesCounter() {
        return gauge(
                "inbox_duplicates_total\\{application=\"assignment-service\",consumer=\"assignment-service.order-events\"}");
    }

    private double gauge(String series) {
        Matcher value = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(metrics());
        return value.find() ? Double.parseDouble(value.group(1)) : 0;
    }

    private List<String> linkOf(String orderId) {
        return jdbc.queryForList(
                "SELECT CONCAT(order_status, '@', order_version) FROM task_order_link WHERE order_id = ?",
                String.class,
                orderId);
    }

    private int assignedCount(String taskId) {
        return jdbc.queryForObject("SELECT assigned_count FROM assignment_task WHERE id = ?", Integer.class, taskId);
    }

    private int processed(EventEnvelope envelope) {
        return jdbc.queryForObject(
                "SELECT COUNT(*) FROM inbox_message WHERE message_id = ?",
                Integer.class,
                envelope.eventId().toString());
    }
}
