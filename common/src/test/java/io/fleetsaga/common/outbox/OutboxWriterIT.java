package io.fleetsaga.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.support.KitDatabase;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

/** Item 2 of the foundation: the outbox row commits and rolls back with the business row. */
class OutboxWriterIT {

    static KitDatabase db;
    static JdbcOutboxStore store;
    static OutboxWriter writer;

    @BeforeAll
    static void setUp() {
        db = KitDatabase.create("writer");
        db.jdbc.execute("CREATE TABLE parcel (id VARCHAR(36) PRIMARY KEY, state VARCHAR(20) NOT NULL)");
        store = new JdbcOutboxStore(db.dataSource, db.transactionManager);
        writer = new JdbcOutboxWriter(store);
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @BeforeEach
    void clean() {
        db.jdbc.update("DELETE FROM parcel");
        db.jdbc.update("DELETE FROM outbox_event");
    }

    @Test
    void businessRowAndOutboxRowCommitTogether() {
        String id = UUID.randomUUID().toString();
        EventEnvelope event = envelope(id);

        db.tx.executeWithoutResult(status -> {
            db.jdbc.update("INSERT INTO parcel VALUES (?, 'PICKED_UP')", id);
            writer.append("parcels", event);
        });

        assertThat(count("parcel")).isEqualTo(1);
        assertThat(count("outbox_event")).isEqualTo(1);
        assertThat(store.status(event.eventId())).contains(OutboxStatus.PENDING);
    }

    @Test
    void businessRowAndOutboxRowRollBackTogetherWhenTheTransactionFailsAfterBothWrites() {
        String id = UUID.randomUUID().toString();

        assertThatThrownBy(() -> db.tx.executeWithoutResult(status -> {
                    db.jdbc.update("INSERT INTO parcel VALUES (?, 'PICKED_UP')", id);
                    writer.append("parcels", envelope(id));
                    throw new IllegalStateException("boom after both writes");
                }))
                .hasMessage("boom after both writes");

        assertThat(count("parcel")).isZero();
        assertThat(count("outbox_event")).isZero();
    }

    @Test
    void failsLoudlyWithoutATransactionAndWritesNothing() {
        assertThatThrownBy(() -> writer.append("parcels", envelope("p-1")))
                .isInstanceOf(IllegalTransactionStateException.class)
                .hasMessageContaining("requires an active transaction");

        assertThat(count("outbox_event")).isZero();
    }

    @Test
    void failsLoudlyInAReadOnlyTransaction() {
        db.tx.setReadOnly(true);
        try {
            assertThatThrownBy(() -> db.tx.executeWithoutResult(s -> writer.append("parcels", envelope("p-2"))))
                    .isInstanceOf(IllegalTransactionStateException.class);
        } finally {
            db.tx.setReadOnly(false);
        }
        assertThat(count("outbox_event")).isZero();
    }

    /** Incident I-3: a @Transactional method reached through 'this' has no transaction. */
    @Test
    void selfInvocationThatBypassesTheTransactionProxyIsDetected() {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(ProxyConfig.class)) {
            ParcelService service = context.getBean(ParcelService.class);

            service.pickUpThroughProxy("p-proxied");
            assertThat(count("outbox_event")).isEqualTo(1);

            assertThatThrownBy(() -> service.pickUpThroughThis("p-self"))
                    .isInstanceOf(IllegalTransactionStateException.class);
            assertThat(db.jdbc.queryForObject("SELECT COUNT(*) FROM parcel WHERE id = 'p-self'", Integer.class))
                    .as("the business row written before the failing append was not in a transaction either,"
                            + " which is exactly why the append must fail loudly")
                    .isEqualTo(1);
            assertThat(count("outbox_event")).isEqualTo(1);
        }
    }

    private static long count(String table) {
        return db.jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
    }

    private static EventEnvelope envelope(String aggregateId) {
        return EventEnvelope.of("ParcelPickedUp", "Parcel", aggregateId, 1L, "{\"state\":\"PICKED_UP\"}");
    }

    @Configuration
    @EnableTransactionManagement
    static class ProxyConfig {

        @Bean
        PlatformTransactionManager transactionManager() {
            return db.transactionManager;
        }

        @Bean
        ParcelService parcelService() {
            return new ParcelService(new JdbcTemplate(db.dataSource), writer);
        }
    }

    static class ParcelService {

        private final JdbcTemplate jdbc;
        private final OutboxWriter outbox;

        ParcelService(JdbcTemplate jdbc, OutboxWriter outbox) {
            this.jdbc = jdbc;
            this.outbox = outbox;
        }

        @Transactional
        public void pickUpThroughProxy(String id) {
            pickUp(id);
        }

        public void pickUpThroughThis(String id) {
            this.pickUpTransactional(id); // no proxy in between: @Transactional does not apply
        }

        @Transactional
        public void pickUpTransactional(String id) {
            pickUp(id);
        }

        private void pickUp(String id) {
            jdbc.update("INSERT INTO parcel VALUES (?, 'PICKED_UP')", id);
            outbox.append("parcels", envelope(id));
        }
    }
}
