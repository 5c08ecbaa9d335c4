package io.fleetsaga.assignment.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.assignment.task.OrderStatus;
import io.fleetsaga.assignment.task.TaskMembershipChange;
import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.OutboxWriter;
import io.fleetsaga.common.outbox.http.WebhookSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class CourierNotificationsTests {

    static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final List<TaskMembershipChange> CHANGES = List.of(
            new TaskMembershipChange(
                    TaskMembershipChange.Change.ORDER_REMOVED, "c-1", "t-1", "o-1", OrderStatus.ASSIGNED, 7),
            new TaskMembershipChange(
                    TaskMembershipChange.Change.ORDER_ADDED, "c-2", "t-2", "o-1", OrderStatus.ASSIGNED, 7));

    final ObjectMapper mapper = new ObjectMapper();
    final List<String> topics = new ArrayList<>();
    final List<EventEnvelope> appended = new ArrayList<>();
    final OutboxWriter outbox = (topic, envelope) -> {
        topics.add(topic);
        appended.add(envelope);
    };

    @Test
    void writesOneWebhookRowPerChangeUnderTheOrdersOwnNotificationAggregate() {
        CourierNotifications notifications =
                new CourierNotifications(webhooks("http://127.0.0.1:9/hook"), outbox, mapper);

        notifications.append(CHANGES, TRACE);

        assertThat(topics).containsOnly("webhook:courier").hasSize(2);
        assertThat(appended).allSatisfy(envelope -> {
            assertThat(envelope.type()).isEqualTo("CourierTaskChanged");
            assertThat(envelope.aggregateType())
                    .as("not FleetOrder: a failing receiver must not hold back the order's Kafka events")
                    .isEqualTo("CourierNotification");
            assertThat(envelope.aggregateId()).isEqualTo("o-1");
            assertThat(envelope.traceparent()).isEqualTo(TRACE);
            assertThat(json(envelope).path("notificationId").asText())
                    .isEqualTo(envelope.eventId().toString());
        });
        JsonNode removed = json(appended.get(0));
        assertThat(removed.path("change").asText()).isEqualTo("ORDER_REMOVED");
        assertThat(removed.path("courierId").asText()).isEqualTo("c-1");
        assertThat(removed.path("taskId").asText()).isEqualTo("t-1");
        assertThat(removed.path("orderStatus").asText()).isEqualTo("ASSIGNED");
        assertThat(removed.path("orderVersion").asLong()).isEqualTo(7);
        assertThat(json(appended.get(1)).path("change").asText()).isEqualTo("ORDER_ADDED");
    }

    @Test
    void writesNothingWhenTheCourierUrlIsNotConfigured() {
        CourierNotifications blank = new CourierNotifications(webhooks("  "), outbox, mapper);
        CourierNotifications absent = new CourierNotifications(new WebhookSettings(Map.of()), outbox, mapper);

        blank.append(CHANGES, null);
        absent.append(CHANGES, null);

        assertThat(blank.enabled()).isFalse();
        assertThat(absent.enabled()).isFalse();
        assertThat(appended).isEmpty();
    }

    private static WebhookSettings webhooks(String url) {
        return new WebhookSettings(
                Map.of("courier", new WebhookSettings.Endpoint(url, Duration.ofSeconds(1), Duration.ofSeconds(1))));
    }

    private JsonNode json(EventEnvelope envelope) {
        try {
            return mapper.readTree(envelope.payload());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
