package io.fleetsaga.common.outbox.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.JdbcOutboxStore;
import io.fleetsaga.common.outbox.OutboxLane;
import io.fleetsaga.common.outbox.OutboxLaneState;
import io.fleetsaga.common.outbox.OutboxListener;
import io.fleetsaga.common.outbox.OutboxRelay;
import io.fleetsaga.common.outbox.OutboxSettings;
import io.fleetsaga.common.outbox.OutboxStatus;
import io.fleetsaga.common.support.KitDatabase;
import io.fleetsaga.common.support.Outboxes;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhook rows through the real relay, the real database and, next to them, Kafka rows to the real broker:
 * a receiver that times out and fails still applies every notification exactly once (by its idempotency key),
 * one that is down (503) for long gets nothing parked, one that refuses a notification (400) gets that row parked
 * at once, and none of them holds back a Kafka event.
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
                    .as(
                            "calls for %s: late answer, failure, success; the first two were the receiver's fault and"
                                    + " did not count as attempts",
                            key)
                    .extracting(call -> call.header("X-Delivery-Attempt"))
                    .containsExactly("1", "1", "1");
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

    /**
     * Issue 9, failure mode 1: a receiver answering 503 is down, not refusing the notification. However long it
     * lasts (here many times {@code max-attempts × max-delay}), nothing is parked and no attempt is used up.
     */
    @Test
    void aReceiverAnswering503ForLongNeverParksAndGetsEveryNotificationOnceAfterItRecovers() {
        receiver.script(call -> Answer.FAIL);
        OutboxSettings settings = Outboxes.settings(20, Duration.ofMillis(20), 3);
        OutboxRelay webhookLane = new OutboxRelay(
                store,
                new HttpWebhookPublisher(webhooks(), settings.publishTimeout()),
                settings,
                new OutboxListener() {},
                OutboxLane.only("webhook", WebhookTopics.PREFIX));
        OutboxRelay kafkaLane = new OutboxRelay(
                store,
                Outboxes.publisher(settings),
                settings,
                new OutboxListener() {},
                OutboxLane.excluding("kafka", WebhookTopics.PREFIX));
        List<EventEnvelope> notifications =
                List.of(notification("o-1"), notification("o-2"), notification("o-1"), notification("o-3"));
        EventEnvelope orderEvent = Outboxes.event("o-1", 1);
        append(List.of(
                new Row(WEBHOOK, notifications.get(0)),
                new Row(WEBHOOK, notifications.get(1)),
                new Row(kafkaTopic, orderEvent),
                new Row(WEBHOOK, notifications.get(2)),
                new Row(WEBHOOK, notifications.get(3))));
        Duration allAttempts =
                settings.retry().maxDelay().multipliedBy(settings.retry().maxAttempts());

        await().during(allAttempts.multipliedBy(10))
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .failFast("a row was parked", () -> parked() > 0)
                .until(() -> {
                    webhookLane.pollOnce();
                    return parked() == 0;
                });
        kafkaLane.drain();

        assertThat(webhookLane.laneState().status()).isEqualTo(OutboxLaneState.Status.BACKING_OFF);
        assertThat(webhookLane.laneState().lastError()).contains("HTTP 503");
        assertThat(receiver.calls())
                .as("the receiver was tried for long: one batch (3 heads), then one probe per backoff step")
                .hasSizeGreaterThan(6)
                .hasSize(3 + webhookLane.laneState().consecutiveFailures() - 1);
        assertThat(receiver.applied()).isEmpty();
        assertThat(db.jdbc.queryForObject("SELECT MAX(attempts) FROM outbox_event", Integer.class))
                .as("no attempt used up")
                .isLessThanOrEqualTo(1);
        assertThat(store.status(orderEvent.eventId()))
                .as("the webhook lane's outage holds back no Kafka event")
                .contains(OutboxStatus.SENT);

        receiver.script(call -> Answer.APPLY);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            webhookLane.drain();
            return unsent() == 0;
        });
        assertThat(receiver.applied())
                .as("every notification applied, each exactly once")
                .containsExactlyInAnyOrderEntriesOf(bodiesByKey(notifications));
        assertThat(webhookLane.laneState().status()).isEqualTo(OutboxLaneState.Status.UP);
        assertThat(receiver.appliedInOrder())
                .as("the notifications of o-1 in their order")
                .containsSubsequence(
                        notifications.get(0).eventId().toString(),
                        notifications.get(2).eventId().toString());
    }

    /** Issue 9, failure mode 1: a 400 is the receiver refusing this notification, retrying cannot help. */
    @Test
    void aNotificationTheReceiverRefusesWith400IsParkedAtOnceAndHoldsBackNoKafkaEvent() {
        receiver.script(call -> Answer.REJECT);
        OutboxRelay relay = relay(Outboxes.settings(20, Duration.ofMillis(20), 5));
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

        assertThat(store.status(notification.eventId())).as("parked at once").contains(OutboxStatus.PARKED);
        assertThat(receiver.calls(notification.eventId().toString())).hasSize(1);
        assertThat(store.listParked(10)).singleElement().satisfies(p -> {
            assertThat(p.eventId()).isEqualTo(notification.eventId());
            assertThat(p.topic()).isEqualTo(WEBHOOK);
            assertThat(p.attempts()).isEqualTo(1);
            assertThat(p.lastError()).contains("webhook courier answered HTTP 400");
        });
        assertThat(store.status(sameOrder.eventId()))
                .as("the refused notification has its own aggregate: the order's event is not held back")
                .contains(OutboxStatus.SENT);
        assertThat(store.status(otherOrder.eventId())).contains(OutboxStatus.SENT);
        relay.drain();
        assertThat(store.status(laterNotification.eventId()))
                .as("the next notification of the same order waits behind the parked one")
                .contains(OutboxStatus.PENDING);
        assertThat(receiver.calls(laterNotification.eventId().toString())).isEmpty();

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

    private WebhookSettings webhooks() {
        return new WebhookSettings(Map.of(
                "courier",
                new WebhookSettings.Endpoint(
                        receiver.url().toString(), Duration.ofSeconds(1), Duration.ofMillis(300))));
    }

    private OutboxRelay relay(OutboxSettings settings) {
        return new OutboxRelay(
                store,
                new RoutingOutboxPublisher(
                        new HttpWebhookPublisher(webhooks(), settings.publishTimeout()), Outboxes.publisher(settings)),
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

    private long parked() {
        return db.jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE status = 'PARKED'", Long.class);
    }

    private long unsent() {
        return db.jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE status <> 'SENT'", Long.class);
    }
}
