package io.fleetsaga.common.outbox;

import io.fleetsaga.common.event.EventEnvelope;

/** {@link OutboxWriter} on the JDBC outbox table. */
public final class JdbcOutboxWriter implements OutboxWriter {

    private final JdbcOutboxStore store;

    public JdbcOutboxWriter(JdbcOutboxStore store) {
        this.store = store;
    }

    @Override
    public void append(String topic, EventEnvelope envelope) {
        store.append(topic, envelope);
    }
}
