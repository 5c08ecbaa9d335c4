package io.fleetsaga.common.outbox.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.OutboxListener;
import io.fleetsaga.common.outbox.OutboxRelay;
import io.fleetsaga.common.outbox.OutboxSettings;
import io.fleetsaga.common.outbox.OutboxStatus;
import io.fleetsaga.common.outbox.ParkedEvent;
import io.fleetsaga.common.support.KitDatabase;
import io.fleetsaga.common.support.Outboxes;
import io.fleetsaga.common.support.TopicReader;
import io.fleetsaga.infra.WebhookReceiver;
import io.fleetsaga.infra.WebhookReceiver.Answer;
import io.fleetsaga.infra.WebhookReceiver.Call;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhook rows through the real relay, the real database and, next to them, Kafka rows to the real broker:
 * a receiver that times out and fails still applies every notification exactly once (by its idempotency key),
 * one that never succeeds gets the row parked, and neither holds back a Kafka event.
 */
class HttpWebhookPublisherIT {

    static final String WEBHOOK = WebhookTopics.of("courier");
    static final String NOTIFICATION = "CourierNotification";

    static KitDatabase db;
    static JdbcOutboxStore store;

    final WebhookReceiver receiver = WebhookReceiver.start();
    String kafkaTopic;

    @BeforeAll
    static void setUp() {
        db = KitDatabase.create("webhook");
        store = new JdbcOutboxStore(db.dataSource, db.transactionManager);
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @BeforeEach
    void freshRows() {
        db.jdbc.update("DELETE FROM outbox_event");
        kafkaTopic = "webhook-it-" + UUID.randomUUID();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void eachNotificationIsAppliedOnceByItsKeyAlthoughTheReceiverFirstAnsweredTooLateThenFailed() {
        receiver.script(firstLateThenFailingThenApplying());
        OutboxRelay relay = relay(Outboxes.settings(20, Duration.ofMillis(50), 5));
        List<EventEnvelope> notifications = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            notifications.add(notification("o-" + i));
        }
        notifications.set(
                0, notifications.get(0).withTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        append(notifications.stream().map(n -> new Row(WEBHOOK, n)).toList());

        await().atMost(Duration.ofSeconds(60)).until(() -> {
            relay.drain();
            return unsent() == 0;
        });

        for (EventEnvelope notification : notifications) {
            String key = notification.eventId().toString();
            assertThat(receiver.calls(key))
                    .as("calls for %s: late answer, failure, success", key)
                    .extracting(call -> call.header("X-Delivery-Attempt"))
                    .containsExactly("1", "2", "3");
            assertThat(receiver.duplicates(key))
                    .as("the retry after the lost answer was recognised by its key")
                    .isEqualTo(1);
            assertThat(receiver.calls(key)).allSatisfy(call -> {
                assertThat(call.body()).isEqualTo(notification.payload());
                assertThat(call.header("X-Event-Type")).isEqualTo("CourierTaskChanged");
                assertThat(call.header("traceparent")).isEqualTo(notification.traceparent());
            });
            assertThat(store.status(notification.eventId())).contains(OutboxStatus.SENT);
        }
        assertThat(receiver.applied())
                .as("every notification applied, each exactly once")
                .containsExactlyInAnyOrderEntriesOf(bodiesByKey(notifications));
        int calls = receiver.calls().size();
        assertThat(relay.drain()).isZero();
        assertThat(receiver.calls())
                .as("nothing is sent after the acknowledgement")
                .hasSize(calls);
    }

    @Test
    void aNotificationThatNeverSucceedsIsParkedAfterTheLimitAndHoldsBackNoKafkaEvent() {
        receiver.script(call -> Answer.FAIL);
        OutboxRelay relay = relay(Outboxes.settings(20, Duration.ofMillis(20), 3));
        EventEnvelope notification = notification("o-1");
        EventEnvelope laterNotification = notification("o-1");
        EventEnvelope sameOrder = Outboxes.event("o-1", 1); // written after the notification, same aggregate id
        EventEnvelope otherOrder = Outboxes.event("o-2", 1);
        append(List.of(
                new Row(WEBHOOK, notification),
                new Row(kafkaTopic, sameOrder),
                new Row(WEBHOOK, laterNotification),
                new Row(kafkaTopic, otherOrder)));

        relay.pollOnce();

        assertThat(store.status(notification.eventId())).contains(OutboxStatus.PENDING);
        assertThat(store.status(sameOrder.eventId()))
                .as("the failing notification has its own aggregate: the order's event is not held back")
                .contains(OutboxStatus.SENT);
        assertThat(store.status(otherOrder.eventId())).contains(OutboxStatus.SENT);

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            relay.drain();
            return store.status(notification.eventId()).orElseThrow() == OutboxStatus.PARKED;
        });

        assertThat(receiver.calls(notification.eventId().toString())).hasSize(3);
        assertThat(receiver.applied()).isEmpty();
        List<ParkedEvent> parked = store.listParked(10);
        assertThat(parked).singleElement().satisfies(p -> {
            assertThat(p.eventId()).isEqualTo(notification.eventId());
            assertThat(p.topic()).isEqualTo(WEBHOOK);
            assertThat(p.attempts()).isEqualTo(3);
            assertThat(p.lastError()).contains("webhook courier answered HTTP 503");
        });
        assertThat(store.status(laterNotification.eventId()))
                .as("the next notification of the same order waits behind the parked one")
                .contains(OutboxStatus.PENDING);
        assertThat(receiver.calls(laterNotification.eventId().toString())).isEmpty();
        try (TopicReader reader = new TopicReader(kafkaTopic)) {
            List<ConsumerRecord<String, String>> records = reader.awaitAtLeast(2, Duration.ofSeconds(30));
            assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("o-1", "o-2");
        }

        receiver.script(call -> Answer.APPLY);
        assertThat(store.requeue(notification.eventId())).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            relay.drain();
            return unsent() == 0;
        });

        assertThat(receiver.appliedInOrder())
                .containsExactly(
                        notification.eventId().toString(),
                        laterNotification.eventId().toString());
    }

    private OutboxRelay relay(OutboxSettings settings) {
        WebhookSettings webhooks = new WebhookSettings(Map.of(
                "courier",
                new WebhookSettings.Endpoint(
                        receiver.url().toString(), Duration.ofSeconds(1), Duration.ofMillis(300))));
        return new OutboxRelay(
                store,
                new RoutingOutboxPublisher(
                        new HttpWebhookPublisher(webhooks, settings.publishTimeout()), Outboxes.publisher(settings)),
                settings,
                new OutboxListener() {});
    }

    private static Function<Call, Answer> firstLateThenFailingThenApplying() {
        return call -> switch (call.nth()) {
            case 1 -> Answer.APPLY_AND_ANSWER_LATE;
            case 2 -> Answer.FAIL;
            default -> Answer.APPLY;
        };
    }

    private static EventEnvelope notification(String orderId) {
        String id = UUID.randomUUID().toString();
        return new EventEnvelope(
                UUID.fromString(id),
                "CourierTaskChanged",
                NOTIFICATION,
                orderId,
                null,
                Instant.now(),
                null,
                "{\"notificationId\":\"" + id + "\",\"orderId\":\"" + orderId + "\",\"change\":\"ORDER_ADDED\"}");
    }

    private static Map<String, String> bodiesByKey(List<EventEnvelope> events) {
        Map<String, String> bodies = new HashMap<>();
        events.forEach(e -> bodies.put(e.eventId().toString(), e.payload()));
        return bodies;
    }

    record Row(String topic, EventEnvelope event) {}

    private void append(List<Row> rows) {
        db.tx.executeWithoutResult(status -> rows.forEach(r -> store.append(r.topic(), r.event())));
    }

    private long unsent() {
        return db.jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE status <> 'SENT'", Long.class);
    }
}
