package io.fleetsaga.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.event.EventHeaders;
import io.fleetsaga.common.support.KitDatabase;
import io.fleetsaga.common.support.Outboxes;
import io.fleetsaga.common.support.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Item 3 of the foundation: the relay against the real database and the real broker. */
class OutboxRelayIT {

    static KitDatabase db;
    static JdbcOutboxStore store;

    String topic;
    final RecordingListener listener = new RecordingListener();

    @BeforeAll
    static void setUp() {
        db = KitDatabase.create("relay");
        store = new JdbcOutboxStore(db.dataSource, db.transactionManager);
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @BeforeEach
    void freshTopic() {
        db.jdbc.update("DELETE FROM outbox_event");
        topic = "relay-it-" + UUID.randomUUID();
    }

    @Test
    void publishesWithTheAggregateIdAsKeyAndMarksRowsSentOnlyAfterTheBrokerAcknowledged() {
        OutboxSettings settings = Outboxes.settings(50, Duration.ofMillis(50), 5);
        KafkaPublisherSpy spy = new KafkaPublisherSpy(Outboxes.publisher(settings));
        OutboxRelay relay = new OutboxRelay(store, spy, settings, listener);
        List<EventEnvelope> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(Outboxes.event("parcel-" + i, 1));
        }
        append(events);

        assertThat(relay.drain()).isEqualTo(20);

        assertThat(spy.statusAtAcknowledgement).hasSize(20).containsOnly(OutboxStatus.PENDING);
        events.forEach(e -> assertThat(store.status(e.eventId())).contains(OutboxStatus.SENT));
        try (TopicReader reader = new TopicReader(topic)) {
            List<ConsumerRecord<String, String>> records = reader.awaitAtLeast(20, Duration.ofSeconds(30));
            assertThat(records).hasSize(20);
            EnvelopeCodec codec = new EnvelopeCodec();
            for (ConsumerRecord<String, String> record : records) {
                EventEnvelope decoded = codec.decode(record.value());
                assertThat(record.key()).isEqualTo(decoded.aggregateId());
                assertThat(new String(
                                record.headers()
                                        .lastHeader(EventHeaders.EVENT_ID)
                                        .value(),
                                StandardCharsets.UTF_8))
                        .isEqualTo(decoded.eventId().toString());
                assertThat(events).contains(decoded);
            }
        }
        assertThat(listener.published).hasSize(20);
    }

    @Test
    void twoRelaysRunningAtOnceNeverPublishTheSameRowAndTogetherPublishAllInAggregateOrder() {
        OutboxSettings settings = Outboxes.settings(25, Duration.ofMillis(50), 5);
        int aggregates = 60;
        int versions = 10;
        List<EventEnvelope> events = new ArrayList<>();
        for (int v = 1; v <= versions; v++) {
            for (int a = 0; a < aggregates; a++) {
                events.add(Outboxes.event("parcel-" + a, v));
            }
        }
        append(events);
        RecordingListener first = new RecordingListener();
        RecordingListener second = new RecordingListener();
        OutboxRelay relayA = new OutboxRelay(store, Outboxes.publisher(settings), settings, first);
        OutboxRelay relayB = new OutboxRelay(store, Outboxes.publisher(settings), settings, second);

        relayA.start();
        relayB.start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> pendingRows() == 0);
        } finally {
            relayA.stop();
            relayB.stop();
        }

        Map<UUID, Integer> publications = new HashMap<>();
        for (OutboxRecord record : concat(first.published, second.published)) {
            publications.merge(record.envelope().eventId(), 1, Integer::sum);
        }
        assertThat(publications).hasSize(events.size());
        assertThat(publications.values()).containsOnly(1);
        assertThat(first.published).as("relay A took a share").isNotEmpty();
        assertThat(second.published).as("relay B took a share").isNotEmpty();

        try (TopicReader reader = new TopicReader(topic)) {
            reader.awaitAtLeast(events.size(), Duration.ofSeconds(60));
            List<ConsumerRecord<String, String>> records = reader.drainFor(Duration.ofSeconds(1));
            assertThat(records).hasSize(events.size());
            assertVersionsStrictlyIncreasePerKey(records);
        }
    }

    @Test
    void aFailedAttemptIsRecordedAndScheduledWithBackoff() {
        OutboxSettings settings = Outboxes.settings(10, Duration.ofSeconds(10), 5);
        FaultyPublisher faulty = new FaultyPublisher(Outboxes.publisher(settings));
        OutboxRelay relay = new OutboxRelay(store, faulty, settings, listener);
        EventEnvelope event = Outboxes.event("parcel-x", 1);
        faulty.failAlways(event.eventId());
        append(List.of(event));

        assertThat(relay.pollOnce()).isEqualTo(1);

        Map<String, Object> row = db.jdbc.queryForMap(
                "SELECT status, attempts, last_error, next_attempt_at, UTC_TIMESTAMP(6) AS now"
                        + " FROM outbox_event WHERE event_id = ?",
                event.eventId().toString());
        assertThat(row.get("status")).isEqualTo("PENDING");
        assertThat(row.get("attempts")).isEqualTo(1);
        assertThat((String) row.get("last_error")).contains("injected failure");
        LocalDateTime next = (LocalDateTime) row.get("next_attempt_at");
        LocalDateTime now = (LocalDateTime) row.get("now");
        assertThat(next).isBefore(now.plusSeconds(10).plusNanos(1000));
        assertThat(listener.failed).hasSize(1);
        assertThat(listener.failed.get(0).retryIn()).isBetween(Duration.ZERO, Duration.ofSeconds(10));
        assertThat(next)
                .isAfterOrEqualTo(now.minus(Duration.ofSeconds(2))
                        .plus(listener.failed.get(0).retryIn()));
    }

    @Test
    void afterMaxAttemptsARowIsParkedBlocksItsAggregateAndIsRepublishedOnRequeue() {
        OutboxSettings settings = Outboxes.settings(10, Duration.ofMillis(10), 3);
        FaultyPublisher faulty = new FaultyPublisher(Outboxes.publisher(settings));
        OutboxRelay relay = new OutboxRelay(store, faulty, settings, listener);
        EventEnvelope poison = Outboxes.event("parcel-p", 1);
        EventEnvelope next = Outboxes.event("parcel-p", 2);
        EventEnvelope other = Outboxes.event("parcel-q", 1);
        faulty.failAlways(poison.eventId());
        append(List.of(poison, next, other));

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            relay.drain();
            return store.status(poison.eventId()).orElseThrow() == OutboxStatus.PARKED;
        });

        assertThat(faulty.attempts(poison.eventId())).isEqualTo(3);
        assertThat(listener.failed).hasSize(2);
        assertThat(listener.parked).hasSize(1);
        List<ParkedEvent> parked = store.listParked(10);
        assertThat(parked).singleElement().satisfies(p -> {
            assertThat(p.eventId()).isEqualTo(poison.eventId());
            assertThat(p.attempts()).isEqualTo(3);
            assertThat(p.lastError()).contains("injected failure");
            assertThat(p.parkedAt()).isNotNull();
        });
        assertThat(store.stats().parked()).isEqualTo(1);
        assertThat(store.status(other.eventId())).as("other aggregates flow").contains(OutboxStatus.SENT);
        relay.drain();
        assertThat(store.status(next.eventId()))
                .as("the later event of the parked aggregate waits")
                .contains(OutboxStatus.PENDING);
        assertThat(faulty.attempts(next.eventId())).isZero();

        faulty.heal();
        assertThat(store.requeue(poison.eventId())).isTrue();
        assertThat(store.requeue(poison.eventId()))
                .as("only parked rows can be requeued")
                .isFalse();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            relay.drain();
            return pendingRows() == 0;
        });

        try (TopicReader reader = new TopicReader(topic)) {
            List<ConsumerRecord<String, String>> records = reader.awaitAtLeast(3, Duration.ofSeconds(30));
            assertThat(records.stream().filter(r -> r.key().equals("parcel-p")).map(OutboxRelayIT::version))
                    .containsExactly(1L, 2L);
        }
    }

    /** Issue 9, failure mode 1: a record the broker can never take is parked at once, with its reason. */
    @Test
    void aRecordTooLargeForTheBrokerIsParkedAtItsFirstAttemptWithItsReasonAndOthersKeepFlowing() {
        OutboxSettings settings = Outboxes.settings(10, Duration.ofMillis(10), 5);
        OutboxRelay relay = new OutboxRelay(store, Outboxes.publisher(settings), settings, listener);
        EventEnvelope tooLarge = EventEnvelope.of(
                "ParcelMoved", "Parcel", "parcel-big", 1L, "{\"blob\":\"" + "x".repeat(1_100_000) + "\"}");
        EventEnvelope nextOfSame = Outboxes.event("parcel-big", 2);
        EventEnvelope other = Outboxes.event("parcel-small", 1);
        append(List.of(tooLarge, nextOfSame, other));

        relay.pollOnce();

        assertThat(store.status(tooLarge.eventId()))
                .as("parked at the first attempt")
                .contains(OutboxStatus.PARKED);
        assertThat(store.listParked(10)).singleElement().satisfies(p -> {
            assertThat(p.eventId()).isEqualTo(tooLarge.eventId());
            assertThat(p.attempts()).isEqualTo(1);
            assertThat(p.lastError()).contains("RecordTooLargeException");
            assertThat(p.parkedAt()).isNotNull();
        });
        assertThat(listener.parked).hasSize(1);
        assertThat(listener.failed).as("no retry was scheduled").isEmpty();
        assertThat(store.status(other.eventId())).contains(OutboxStatus.SENT);

        EventEnvelope later = Outboxes.event("parcel-later", 1);
        append(List.of(later));
        relay.drain();
        assertThat(store.status(later.eventId()))
                .as("later rows of other aggregates keep flowing")
                .contains(OutboxStatus.SENT);
        assertThat(store.status(nextOfSame.eventId()))
                .as("the parked row still holds back its own aggregate")
                .contains(OutboxStatus.PENDING);
    }

    @Test
    void aLaterEventOfAnAggregateIsNeverPublishedBeforeItsEarlierOneAcrossRetries() {
        OutboxSettings settings = Outboxes.settings(10, Duration.ofMillis(100), 6);
        FaultyPublisher faulty = new FaultyPublisher(Outboxes.publisher(settings));
        OutboxRelay relay = new OutboxRelay(store, faulty, settings, listener);
        List<EventEnvelope> a =
                List.of(Outboxes.event("parcel-a", 1), Outboxes.event("parcel-a", 2), Outboxes.event("parcel-a", 3));
        EventEnvelope b = Outboxes.event("parcel-b", 1);
        faulty.failTimes(a.get(0).eventId(), 2);
        append(List.of(a.get(0), a.get(1), a.get(2), b));

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            relay.drain();
            return pendingRows() == 0;
        });

        assertThat(faulty.attempts(a.get(0).eventId())).isEqualTo(3);
        List<Long> publishedA = listener.published.stream()
                .filter(r -> r.envelope().aggregateId().equals("parcel-a"))
                .map(Outboxes::version)
                .toList();
        assertThat(publishedA).containsExactly(1L, 2L, 3L);
        assertThat(listener.published.get(0).envelope())
                .as("another aggregate is not held up")
                .isEqualTo(b);
        try (TopicReader reader = new TopicReader(topic)) {
            List<ConsumerRecord<String, String>> records = reader.awaitAtLeast(4, Duration.ofSeconds(30));
            assertVersionsStrictlyIncreasePerKey(records);
        }
    }

    @Test
    void aHangingWebhookLaneDoesNotHoldUpTheKafkaLane() throws Exception {
        OutboxSettings settings = Outboxes.settings(10, Duration.ofMillis(50), 5);
        CompletableFuture<Object> neverAnswered = new CompletableFuture<>();
        OutboxRelay webhookLane = new OutboxRelay(
                store, record -> neverAnswered, settings, listener, OutboxLane.only("webhook", "webhook:"));
        OutboxRelay kafkaLane = new OutboxRelay(
                store, Outboxes.publisher(settings), settings, listener, OutboxLane.excluding("kafka", "webhook:"));
        EventEnvelope notification = EventEnvelope.of("CourierTaskChanged", "CourierNotification", "n-1", 1L, "{}");
        EventEnvelope event = Outboxes.event("parcel-lane", 1);
        db.tx.executeWithoutResult(status -> {
            store.append("webhook:courier", notification);
            store.append(topic, event);
        });
        ExecutorService lane = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> stuck = lane.submit(webhookLane::pollOnce); // waits for its receiver up to 10 s
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> db.jdbc.queryForObject(
                            "SELECT claim_token IS NOT NULL FROM outbox_event WHERE event_id = ?",
                            Boolean.class,
                            notification.eventId().toString()));

            long started = System.nanoTime();
            assertThat(kafkaLane.drain()).isEqualTo(1);

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(store.status(event.eventId())).contains(OutboxStatus.SENT);
            assertThat(stuck).isNotDone();
            neverAnswered.complete("late answer");
            assertThat(stuck.get(15, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(store.status(notification.eventId())).contains(OutboxStatus.SENT);
        } finally {
            lane.shutdownNow();
        }
    }

    /**
     * Issue 13: commit → sent was the relay's idle poll interval (200 ms by default: p50 125 ms at one client). A
     * commit in this instance wakes the relay; here the poll interval is a minute, so only the wake-up can publish.
     */
    @Test
    void aCommittedAppendWakesTheRelayInsteadOfWaitingForItsPollInterval() {
        OutboxSettings settings = Outboxes.settings(10, Duration.ofMinutes(1), 3);
        OutboxRelay relay = new OutboxRelay(store, Outboxes.publisher(settings), settings, listener);
        relay.start();
        try {
            // published by the poll at start or by a wake-up; after it the relay waits for a minute or a wake-up
            EventEnvelope first = Outboxes.event("parcel-w", 1);
            append(List.of(first));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> store.status(first.eventId()).orElseThrow() == OutboxStatus.SENT);

            EventEnvelope rolledBack = Outboxes.event("parcel-r", 1);
            db.tx.executeWithoutResult(status -> {
                store.append(topic, rolledBack);
                status.setRollbackOnly();
            });
            EventEnvelope second = Outboxes.event("parcel-w", 2);
            append(List.of(second));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> store.status(second.eventId()).orElseThrow() == OutboxStatus.SENT);
            assertThat(store.status(rolledBack.eventId())).isEmpty();
            assertThat(listener.published)
                    .extracting(r -> r.envelope().eventId())
                    .containsExactly(first.eventId(), second.eventId());
        } finally {
            relay.stop();
        }
    }

    @Test
    void sentRowsAreDeletedAfterTheRetentionAndPendingRowsAreKept() {
        OutboxSettings settings = Outboxes.settings(10, Duration.ofMillis(10), 3);
        OutboxRelay relay = new OutboxRelay(store, Outboxes.publisher(settings), settings, listener);
        EventEnvelope sent = Outboxes.event("parcel-s", 1);
        append(List.of(sent));
        relay.drain();
        EventEnvelope pending = Outboxes.event("parcel-t", 1);
        append(List.of(pending));

        assertThat(store.deleteSentBefore(Duration.ofDays(1), 100)).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.deleteSentBefore(Duration.ofMillis(1), 100) == 1);

        assertThat(store.status(sent.eventId())).isEmpty();
        assertThat(store.status(pending.eventId())).contains(OutboxStatus.PENDING);
    }

    private void append(List<EventEnvelope> events) {
        db.tx.executeWithoutResult(status -> events.forEach(e -> store.append(topic, e)));
    }

    private long pendingRows() {
        return db.jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE status <> 'SENT'", Long.class);
    }

    private static long version(ConsumerRecord<String, String> record) {
        return new EnvelopeCodec().decode(record.value()).aggregateVersion();
    }

    static void assertVersionsStrictlyIncreasePerKey(List<ConsumerRecord<String, String>> records) {
        Map<String, Long> last = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            long version = version(record);
            Long previous = last.put(record.key(), version);
            assertThat(previous == null ? 0 : previous)
                    .as("versions of %s in partition order", record.key())
                    .isLessThan(version);
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    record Failure(OutboxRecord record, Duration retryIn) {}

    static final class RecordingListener implements OutboxListener {
        final List<OutboxRecord> published = new CopyOnWriteArrayList<>();
        final List<Failure> failed = new CopyOnWriteArrayList<>();
        final List<OutboxRecord> parked = new CopyOnWriteArrayList<>();

        @Override
        public void published(OutboxRecord record) {
            published.add(record);
        }

        @Override
        public void failed(OutboxRecord record, Throwable cause, Duration retryIn) {
            failed.add(new Failure(record, retryIn));
        }

        @Override
        public void parked(OutboxRecord record, Throwable cause) {
            parked.add(record);
        }
    }

    /** Records the row's status at the moment the broker acknowledged it. */
    static final class KafkaPublisherSpy implements OutboxPublisher {
        final OutboxPublisher delegate;
        final List<OutboxStatus> statusAtAcknowledgement = new CopyOnWriteArrayList<>();

        KafkaPublisherSpy(OutboxPublisher delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<?> publish(OutboxRecord record) {
            return delegate.publish(record).thenApply(result -> {
                statusAtAcknowledgement.add(
                        store.status(record.envelope().eventId()).orElseThrow());
                return result;
            });
        }

        @Override
        public PublishFailure classify(OutboxRecord record, Throwable failure) {
            return delegate.classify(record, failure);
        }
    }

    /** Fault injection in front of the real Kafka publisher. */
    static final class FaultyPublisher implements OutboxPublisher {
        final OutboxPublisher delegate;
        final Map<UUID, Integer> failuresLeft = new ConcurrentHashMap<>();
        final Map<UUID, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final Set<UUID> failing = Collections.newSetFromMap(new ConcurrentHashMap<>());

        FaultyPublisher(OutboxPublisher delegate) {
            this.delegate = delegate;
        }

        void failAlways(UUID eventId) {
            failing.add(eventId);
        }

        void failTimes(UUID eventId, int times) {
            failuresLeft.put(eventId, times);
        }

        void heal() {
            failing.clear();
            failuresLeft.clear();
        }

        int attempts(UUID eventId) {
            AtomicInteger count = attempts.get(eventId);
            return count == null ? 0 : count.get();
        }

        @Override
        public CompletableFuture<?> publish(OutboxRecord record) {
            UUID id = record.envelope().eventId();
            attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            boolean fail = failing.contains(id)
                    || failuresLeft.computeIfPresent(id, (k, n) -> n - 1) != null && failuresLeft.get(id) >= 0;
            if (fail) {
                return CompletableFuture.failedFuture(new IllegalStateException("injected failure for " + id));
            }
            return delegate.publish(record);
        }

        @Override
        public PublishFailure classify(OutboxRecord record, Throwable failure) {
            return delegate.classify(record, failure);
        }
    }
}
