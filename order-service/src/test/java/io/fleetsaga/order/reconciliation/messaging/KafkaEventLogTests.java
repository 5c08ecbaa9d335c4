package io.fleetsaga.order.reconciliation.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

/** The partition of an order is the one the outbox relay's producer sends its events to. */
class KafkaEventLogTests {

    @Test
    void anOrdersPartitionIsTheOneTheProducersDefaultPartitionerPicks() {
        for (int partitions : new int[] {1, 3, 7, 64}) {
            for (int i = 0; i < 1000; i++) {
                String orderId = i % 2 == 0 ? "o-" + UUID.randomUUID() : "order-" + i + "-ü";
                assertThat(KafkaEventLog.partitionOf(orderId, partitions))
                        .as("%s of %d", orderId, partitions)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(
                                orderId.getBytes(StandardCharsets.UTF_8), partitions));
            }
        }
    }
}
