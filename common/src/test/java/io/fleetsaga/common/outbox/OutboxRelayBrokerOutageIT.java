package io.fleetsaga.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.support.KitDatabase;
import io.fleetsaga.common.support.Outboxes;
import io.fleetsaga.common.support.TopicReader;
import io.fleetsaga.infra.KafkaBrokerProcess;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Incident I-4 at the relay: while the broker is frozen or dead, publishing fails within the producer's
 * bounds, each failure is recorded on its row and retried later; after the broker is back everything is
 * published, in aggregate order, and nothing is lost. Runs its own broker process so that freezing and
 * killing it disturbs no other test.
 */
class OutboxRelayBrokerOutageIT {

    static KitDatabase db;
    static JdbcOutboxStore store;
    static KafkaBrokerProcess broker;

    @BeforeAll
    static void setUp() throws Exception {
        db = KitDatabase.create("outage");
        store = new JdbcOutboxStore(db.dataSource, db.transactionManager);
        broker = KafkaBrokerProcess.start(Files.createTempDirectory("outage-broker"));
    }

    @AfterAll
    static void tearDown() {
        if (broker != null) {
            broker.close();
        }
        db.close();
    }

    @BeforeEach
    void brokerUpAndNoRows() {
        db.jdbc.update("DELETE FROM outbox_event");
        if (!broker.isRunning()) {
            broker.restart();
        } else if (broker.isPaused()) {
            broker.resume();
        }
    }

    /**
     * Issue 9, failure mode 1: a broker that is away is nobody's record's fault. The outage lasts many times
     * {@code max-attempts × max-delay}; a relay that counted it against the records would park every head.
     */
    @Test
    void aBrokerDownLongerThanAllAttemptsParksNothingBurnsNoAttemptAndDeliversEveryEventOnceInOrder() {
        String topic = "lane-" + UUID.randomUUID();
        OutboxSettings settings = Outboxes.fastFailing(100, Duration.ofMillis(50), 3);
        CountingPublisher publisher = new CountingPublisher(Outboxes.publisher(broker.bootstrapServers(), settings));
        OutboxRelay relay = new OutboxRelay(store, publisher, settings, new OutboxListener() {});
        appendRound(topic, 1);
        assertThat(relay.drain())
                .as("the broker is up: the topic exists, first round published")
                .isEqualTo(10);
        Duration allAttempts =
                settings.retry().maxDelay().multipliedBy(settings.retry().maxAttempts());

        broker.stop();
        for (long version = 2; version <= 6; version++) {
            appendRound(topic, version);
        }
        int callsBefore = publisher.calls.get();
        long outageStarted = System.nanoTime();
        await().during(Duration.ofSeconds(8))
                .atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(20))
                .failFast("a row was parked", () -> parked() > 0)
                .until(() -> {
                    relay.pollOnce();
                    return parked() == 0;
                });
        Duration outage = Duration.ofNanos(System.nanoTime() - outageStarted);
        assertThat(outage)
                .as("the outage outlasted all attempts of a record")
                .isGreaterThan(allAttempts.multipliedBy(10));
        assertThat(db.jdbc.queryForObject(
                        "SELECT COALESCE(MAX(attempts), 0) FROM outbox_event WHERE status = 'PENDING'", Integer.class))
                .as("no attempt of any record was used up by the outage")
                .isZero();
        OutboxLaneState during = relay.laneState();
        assertThat(during.status()).isEqualTo(OutboxLaneState.Status.BACKING_OFF);
        assertThat(during.backingOffFor(Instant.now())).isGreaterThan(Duration.ofSeconds(7));
        assertThat(during.lastError()).contains("TimeoutException");
        assertThat(during.consecutiveFailures()).as("probes during the outage").isGreaterThan(1);
        assertThat(publisher.calls.get() - callsBefore)
                .as("calls to the broker during the outage: one batch (10 heads), then one probe per backoff step")
                .isEqualTo(10 + during.consecutiveFailures() - 1);

        broker.restart();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            relay.drain();
            return pending() == 0;
        });

        assertThat(db.jdbc.queryForObject("SELECT MAX(attempts) FROM outbox_event", Integer.class))
                .as("each row was delivered at the first attempt that counted")
                .isEqualTo(1);
        assertThat(relay.laneState().status()).isEqualTo(OutboxLaneState.Status.UP);
        try (TopicReader reader = new TopicReader(broker.bootstrapServers(), topic)) {
            reader.awaitAtLeast(60, Duration.ofSeconds(60));
            List<ConsumerRecord<String, String>> records = reader.drainFor(Duration.ofSeconds(1));
            EnvelopeCodec codec = new EnvelopeCodec();
            Map<UUID, Long> deliveries = records.stream()
                    .collect(Collectors.groupingBy(r -> codec.decode(r.value()).eventId(), Collectors.counting()));
            assertThat(deliveries).as("every event delivered").hasSize(60);
            assertThat(deliveries.values()).as("each exactly once").containsOnly(1L);
            OutboxRelayIT.assertVersionsStrictlyIncreasePerKey(records);
        }
    }

    @Test
    void aFrozenThenKilledBrokerDelaysPublicationButLosesNothing() {
        String topic = "outage-" + UUID.randomUUID();
        OutboxSettings settings = Outboxes.settings(50, Duration.ofMillis(100), 100);
        OutboxRelay relay = new OutboxRelay(
                store, Outboxes.publisher(broker.bootstrapServers(), settings), settings, new OutboxListener() {});
        appendRound(topic, 1);
        assertThat(relay.drain()).as("the broker is up: first round published").isEqualTo(10);

        broker.pause();
        appendRound(topic, 2);
        long started = System.nanoTime();
        relay.pollOnce();
        Duration failedWithin = Duration.ofNanos(System.nanoTime() - started);
        assertThat(failedWithin)
                .as("a frozen broker makes the attempt fail within the publish timeout, it does not hang")
                .isLessThan(settings.publishTimeout().plusSeconds(2));
        assertThat(db.jdbc.queryForObject(
                        "SELECT COUNT(*) FROM outbox_event WHERE status = 'PENDING' AND attempts = 0"
                                + " AND last_error IS NOT NULL AND failure_kind = 'TRANSPORT'",
                        Integer.class))
                .as("every failed row records its error, and the outage used up none of its attempts")
                .isEqualTo(10);

        broker.kill();
        appendRound(topic, 3);
        relay.pollOnce();
        assertThat(pending()).isEqualTo(20);

        broker.restart();
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            relay.drain();
            return pending() == 0;
        });

        try (TopicReader reader = new TopicReader(broker.bootstrapServers(), topic)) {
            List<ConsumerRecord<String, String>> records = reader.awaitAtLeast(30, Duration.ofSeconds(60));
            EnvelopeCodec codec = new EnvelopeCodec();
            Set<UUID> distinct =
                    records.stream().map(r -> codec.decode(r.value()).eventId()).collect(Collectors.toSet());
            assertThat(distinct).as("nothing lost").hasSize(30);
            // a frozen broker may have appended a batch whose acknowledgement the producer gave up on, so a
            // record can appear twice (at least once); the first appearances are still in aggregate order
            List<ConsumerRecord<String, String>> firsts = new ArrayList<>();
            Set<UUID> seen = new java.util.HashSet<>();
            for (ConsumerRecord<String, String> record : records) {
                if (seen.add(codec.decode(record.value()).eventId())) {
                    firsts.add(record);
                }
            }
            OutboxRelayIT.assertVersionsStrictlyIncreasePerKey(firsts);
        }
    }

    private static void appendRound(String topic, long version) {
        db.tx.executeWithoutResult(s -> {
            for (int i = 0; i < 10; i++) {
                EventEnvelope event = Outboxes.event("parcel-" + i, version);
                store.append(topic, event);
            }
        });
    }

    private static long parked() {
        return db.jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE status = 'PARKED'", Long.class);
    }

    /** Counts the records handed to the broker. */
    static final class CountingPublisher implements OutboxPublisher {
        final OutboxPublisher delegate;
        final AtomicInteger calls = new AtomicInteger();

        CountingPublisher(OutboxPublisher delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<?> publish(OutboxRecord record) {
            calls.incrementAndGet();
            return delegate.publish(record);
        }

        @Override
        public PublishFailure classify(OutboxRecord record, Throwable failure) {
            return delegate.classify(record, failure);
        }
    }

    private static long pending() {
        return db.jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE status <> 'SENT'", Long.class);
    }
}
