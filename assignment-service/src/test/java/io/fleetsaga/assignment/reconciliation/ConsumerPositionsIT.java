package io.fleetsaga.assignment.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.assignment.support.OrderEvents;
import io.fleetsaga.assignment.support.RealInfrastructureTest;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;

/**
 * The consumer positions order-service's reconciliation reads (real broker): the committed offset of a partition
 * passes an event only once the event's effect is in the links.
 */
class ConsumerPositionsIT extends RealInfrastructureTest {

    @Test
    void aPartitionsPositionPassesAnEventOnlyOnceItsEffectIsInTheLinks() {
        String taskId = createTask(10);
        String orderId = "o-" + UUID.randomUUID();
        RecordMetadata sent = send(OrderEvents.state(orderId, taskId, "ASSIGNED", 3));

        await().atMost(Duration.ofSeconds(60)).until(() -> position(sent.partition()) > sent.offset());

        assertThat(jdbc.queryForObject(
                        "SELECT order_status FROM task_order_link WHERE order_id = ?", String.class, orderId))
                .isEqualTo("ASSIGNED");
        JsonNode positions = positions();
        assertThat(positions.get("group").asText()).isNotBlank();
        for (JsonNode position : positions.get("positions")) {
            assertThat(position.get("topic").asText()).isEqualTo(ORDER_EVENTS);
        }
    }

    private long position(int partition) {
        for (JsonNode position : positions().get("positions")) {
            if (position.get("partition").asInt() == partition) {
                return position.get("offset").asLong();
            }
        }
        return -1;
    }

    private JsonNode positions() {
        ResponseEntity<String> answer =
                httpAs("service", HttpMethod.GET, "/internal/reconciliation/consumer-positions", null);
        assertThat(answer.getStatusCode().value()).as(answer.getBody()).isEqualTo(200);
        return json(answer.getBody());
    }
}
