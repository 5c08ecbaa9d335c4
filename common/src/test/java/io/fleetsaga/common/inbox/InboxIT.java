package io.fleetsaga.common.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.metrics.InboxMetrics;
import io.fleetsaga.common.support.KitDatabase;
import io.fleetsaga.infra.Concurrently;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Item 4 of the foundation: exactly one effect per message, with real concurrency on the real database. */
class InboxIT {

    static KitDatabase db;
    static final AtomicInteger duplicates = new AtomicInteger();
    static Inbox inbox;

    @BeforeAll
    static void setUp() {
        db = KitDatabase.create("inbox");
        db.jdbc.execute("CREATE TABLE account (id INT PRIMARY KEY, balance INT NOT NULL)");
        inbox = new Inbox(db.dataSource, db.transactionManager, List.of(new InboxListener() {
            @Override
            public void duplicate(String consumer, UUID messageId) {
                duplicates.incrementAndGet();
            }
        }));
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @BeforeEach
    void clean() {
        db.jdbc.update("DELETE FROM inbox_message");
        db.jdbc.update("DELETE FROM account");
        db.jdbc.update("INSERT INTO account VALUES (1, 0)");
        duplicates.set(0);
    }

    @Test
    void theSameEventDeliveredManyTimesConcurrentlyHasExactlyOneEffect() throws Exception {
        int events = 20;
        int deliveries = 8;
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            ids.add(UUID.randomUUID());
        }
        List<Callable<InboxResult>> tasks = new ArrayList<>();
        for (UUID id : ids) {
            for (int d = 0; d < deliveries; d++) {
                tasks.add(() -> inbox.process("billing", id, this::credit));
            }
        }

        List<InboxResult> results = Concurrently.run(tasks, 16);

        assertThat(balance()).isEqualTo(events);
        assertThat(results.stream().filter(r -> r == InboxResult.PROCESSED)).hasSize(events);
        assertThat(results.stream().filter(r -> r == InboxResult.DUPLICATE)).hasSize(events * (deliveries - 1));
        assertThat(duplicates).hasValue(events * (deliveries - 1));
        assertThat(db.jdbc.queryForObject("SELECT COUNT(*) FROM inbox_message", Integer.class))
                .isEqualTo(events);
    }

    @Test
    void aFailingHandlerRollsBackBothTheEffectAndTheRecordSoARedeliveryProcessesIt() {
        UUID id = UUID.randomUUID();

        assertThatThrownBy(() -> inbox.process("billing", id, () -> {
                    credit();
                    throw new IllegalStateException("handler failed after its write");
                }))
                .hasMessage("handler failed after its write");

        assertThat(balance()).isZero();
        assertThat(inbox.isProcessed("billing", id)).isFalse();

        assertThat(inbox.process("billing", id, this::credit)).isEqualTo(InboxResult.PROCESSED);
        assertThat(inbox.process("billing", id, this::credit)).isEqualTo(InboxResult.DUPLICATE);
        assertThat(balance()).isEqualTo(1);
    }

    @Test
    void consumersDeduplicateIndependently() {
        UUID id = UUID.randomUUID();

        assertThat(inbox.process("billing", id, this::credit)).isEqualTo(InboxResult.PROCESSED);
        assertThat(inbox.process("audit", id, this::credit)).isEqualTo(InboxResult.PROCESSED);

        assertThat(balance()).isEqualTo(2);
    }

    @Test
    void returnsTheHandlersResultOnlyWhenProcessed() {
        UUID id = UUID.randomUUID();

        assertThat(inbox.process("billing", id, () -> "done")).contains("done");
        assertThat(inbox.process("billing", id, () -> "again")).isEmpty();
    }

    @Test
    void oldRecordsAreCleanedUp() {
        inbox.process("billing", UUID.randomUUID(), this::credit);
        db.jdbc.update("UPDATE inbox_message SET processed_at = UTC_TIMESTAMP(6) - INTERVAL 30 DAY");
        inbox.process("billing", UUID.randomUUID(), this::credit);

        assertThat(inbox.deleteOlderThan(java.time.Duration.ofDays(14), 100)).isEqualTo(1);
        assertThat(db.jdbc.queryForObject("SELECT COUNT(*) FROM inbox_message", Integer.class))
                .isEqualTo(1);
    }

    private void credit() {
        db.jdbc.update("UPDATE account SET balance = balance + 1 WHERE id = 1");
    }

    private int balance() {
        return db.jdbc.queryForObject("SELECT balance FROM account WHERE id = 1", Integer.class);
    }

    /**
     * Issue 13: commit → applied is a histogram in the consumer ({@code inbox_propagation_seconds}), so production
     * shows the figure the benchmark reports: from the event's occurrence to the effect's commit, once per event,
     * not for a duplicate, not for a handler that failed.
     */
    @Test
    void anAppliedEventRecordsItsPropagationTimeOnceAndADuplicateOrFailureDoesNot() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Inbox measured = new Inbox(db.dataSource, db.transactionManager, List.of(new InboxMetrics(registry)));
        EventEnvelope event = new EventEnvelope(
                UUID.randomUUID(), "Moved", "Parcel", "p-1", 1L, Instant.now().minusSeconds(2), null, "{}");

        assertThat(measured.process("c", event, () -> {})).isEqualTo(InboxResult.PROCESSED);
        assertThat(measured.process("c", event, () -> {})).isEqualTo(InboxResult.DUPLICATE);
        EventEnvelope failing =
                new EventEnvelope(UUID.randomUUID(), "Moved", "Parcel", "p-2", 1L, Instant.now(), null, "{}");
        assertThatThrownBy(() -> measured.process("c", failing, () -> {
                    throw new IllegalStateException("boom");
                }))
                .isInstanceOf(IllegalStateException.class);

        Timer timer = registry.get("inbox.propagation").tag("consumer", "c").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isBetween(2_000.0, 60_000.0);
    }
}
