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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
                        "SELECT COUNT(*) FROM outbox_event WHERE status = 'PENDING' AND attempts >= 1"
                                + " AND last_error IS NOT NULL",
                        Integer.class))
                .as("every failed row records its attempt and error")
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

    private static long pending() {
        return db.jdbc.queryForObject("SELECT COUNT(*) FROM outbox_event WHERE status <> 'SENT'", Long.class);
    }
}
