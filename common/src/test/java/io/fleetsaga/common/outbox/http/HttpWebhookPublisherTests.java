package io.fleetsaga.common.outbox.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetsaga.common.event.EventEnvelope;
import io.fleetsaga.common.outbox.OutboxRecord;
import io.fleetsaga.common.outbox.PublishFailure;
import io.fleetsaga.common.outbox.PublishFailure.Kind;
import io.fleetsaga.infra.WebhookReceiver;
import io.fleetsaga.infra.WebhookReceiver.Answer;
import java.net.ServerSocket;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP transport alone, against a local receiver: what acknowledges, what fails, and how fast. */
class HttpWebhookPublisherTests {

    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    final WebhookReceiver receiver = WebhookReceiver.start();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void postsThePayloadWithIdempotencyKeyTypeAttemptAndTraceHeadersAndAcknowledgesA2xx() throws Exception {
        HttpWebhookPublisher publisher = publisher(receiver.url().toString(), Duration.ofSeconds(2));
        EventEnvelope event = event().withTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

        assertThat(publisher
                        .publish(new OutboxRecord(1, "webhook:courier", event, 2))
                        .get(5, TimeUnit.SECONDS))
                .isEqualTo(200);

        assertThat(receiver.calls()).singleElement().satisfies(call -> {
            assertThat(call.key()).isEqualTo(event.eventId().toString());
            assertThat(call.body()).isEqualTo(event.payload());
            assertThat(call.header("Content-Type")).isEqualTo("application/json");
            assertThat(call.header("X-Event-Type")).isEqualTo("CourierTaskChanged");
            assertThat(call.header("X-Delivery-Attempt")).isEqualTo("2");
            assertThat(call.header("traceparent")).isEqualTo(event.traceparent());
        });
    }

    @Test
    void anEventWithoutTraceContextIsSentWithoutATraceparentHeader() throws Exception {
        HttpWebhookPublisher publisher = publisher(receiver.url().toString(), Duration.ofSeconds(2));

        publisher.publish(record(event())).get(5, TimeUnit.SECONDS);

        assertThat(receiver.calls().get(0).header("traceparent")).isNull();
    }

    @Test
    void anAnswerOtherThan2xxFailsTheAttemptWithItsStatus() {
        receiver.script(call -> Answer.FAIL);
        HttpWebhookPublisher publisher = publisher(receiver.url().toString(), Duration.ofSeconds(2));

        assertThat(failure(publisher.publish(record(event()))))
                .isInstanceOf(WebhookDeliveryException.class)
                .hasMessage("webhook courier answered HTTP 503")
                .satisfies(
                        e -> assertThat(((WebhookDeliveryException) e).status()).isEqualTo(503));
        assertThat(kindOf(publisher, 503)).isEqualTo(PublishFailure.transport("HTTP 503"));
    }

    @Test
    void aRedirectIsNotFollowedAndFailsTheAttempt() {
        receiver.script(call -> Answer.REDIRECT);
        HttpWebhookPublisher publisher = publisher(receiver.url().toString(), Duration.ofSeconds(2));

        assertThat(failure(publisher.publish(record(event()))))
                .isInstanceOf(WebhookDeliveryException.class)
                .hasMessage("webhook courier answered HTTP 307");
        assertThat(receiver.calls()).hasSize(1);
        assertThat(kindOf(publisher, 307))
                .as("a moved receiver is configuration: retrying cannot help")
                .isEqualTo(PublishFailure.record("HTTP 307"));
    }

    @Test
    void aClientErrorFailsTheAttemptAndIsTheRecordsFault() {
        HttpWebhookPublisher publisher =
                publisher(receiver.url().resolve("/elsewhere").toString(), Duration.ofSeconds(2));

        assertThat(failure(publisher.publish(record(event()))))
                .isInstanceOf(WebhookDeliveryException.class)
                .hasMessage("webhook courier answered HTTP 404");
        assertThat(kindOf(publisher, 404)).isEqualTo(PublishFailure.record("HTTP 404"));
    }

    @Test
    void aReceiverThatIsAwayOrOverloadedIsTheTransportsFaultAnyOtherAnswerTheRecords() {
        HttpWebhookPublisher publisher = publisher(receiver.url().toString(), Duration.ofSeconds(2));
        receiver.script(call -> Answer.REJECT);

        assertThat(publisher.classify(record(event()), failure(publisher.publish(record(event())))))
                .isEqualTo(PublishFailure.record("HTTP 400"));
        for (int status : new int[] {408, 429, 500, 502, 503, 504}) {
            assertThat(kindOf(publisher, status).kind()).as("HTTP %d", status).isEqualTo(Kind.TRANSPORT);
        }
        for (int status : new int[] {301, 400, 401, 403, 404, 409, 410, 413, 422}) {
            assertThat(kindOf(publisher, status).kind()).as("HTTP %d", status).isEqualTo(Kind.RECORD);
        }
    }

    @Test
    void aReceiverThatAnswersTooLateFailsTheAttemptWithinTheRequestTimeout() {
        receiver.script(call -> Answer.APPLY_AND_ANSWER_LATE);
        HttpWebhookPublisher publisher = publisher(receiver.url().toString(), Duration.ofMillis(300));

        long start = System.nanoTime();
        Throwable failure = failure(publisher.publish(record(event())));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(failure).isInstanceOf(WebhookDeliveryException.class).hasCauseInstanceOf(HttpTimeoutException.class);
        assertThat(failure.getMessage()).startsWith("webhook courier not delivered: HttpTimeoutException");
        assertThat(publisher.classify(record(event()), failure))
                .isEqualTo(PublishFailure.transport("HttpTimeoutException"));
        assertThat(receiver.applied())
                .as("the receiver did apply it: the key will come again")
                .hasSize(1);
    }

    @Test
    void anUnreachableReceiverFailsTheAttempt() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HttpWebhookPublisher publisher = publisher("http://127.0.0.1:" + closedPort + "/hook", Duration.ofSeconds(2));

        Throwable failure = failure(publisher.publish(record(event())));
        assertThat(failure)
                .isInstanceOf(WebhookDeliveryException.class)
                .hasMessageStartingWith("webhook courier not delivered:")
                .satisfies(e -> assertThat(e.getCause()).isNotInstanceOf(HttpConnectTimeoutException.class));
        assertThat(publisher.classify(record(event()), failure).kind()).isEqualTo(Kind.TRANSPORT);
    }

    @Test
    void anEndpointWithoutAUrlFailsEveryAttemptAndNamesTheSetting() {
        HttpWebhookPublisher publisher = publisher("", Duration.ofSeconds(2));

        assertThat(failure(publisher.publish(record(event()))))
                .isInstanceOf(WebhookDeliveryException.class)
                .hasMessage("webhook endpoint 'courier' has no URL (fleetsaga.outbox.webhooks.courier.url)");
        assertThat(failure(publisher.publish(new OutboxRecord(1, "webhook:unknown", event(), 1))))
                .hasMessageContaining("fleetsaga.outbox.webhooks.unknown.url");
        assertThat(publisher.classify(record(event()), failure(publisher.publish(record(event())))))
                .as("no retry can reach an endpoint without URL: parked, requeued once configured")
                .isEqualTo(PublishFailure.record(WebhookDeliveryException.NOT_CONFIGURED));
    }

    @Test
    void refusesTimeoutsThatDoNotFitTheRelaysPublishTimeout() {
        WebhookSettings settings = new WebhookSettings(Map.of(
                "courier",
                new WebhookSettings.Endpoint(receiver.url().toString(), Duration.ofSeconds(2), Duration.ofSeconds(8))));

        assertThatThrownBy(() -> new HttpWebhookPublisher(settings, PUBLISH_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fleetsaga.outbox.webhooks.courier")
                .hasMessageContaining("must stay below fleetsaga.outbox.publish-timeout");
    }

    @Test
    void refusesAUrlThatIsNotAbsoluteHttpWithoutEchoingIt() {
        assertThatThrownBy(() -> new WebhookSettings.Endpoint(
                        "ftp://secret-token@host/x", Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("secret-token");
    }

    private static HttpWebhookPublisher publisher(String url, Duration requestTimeout) {
        return new HttpWebhookPublisher(
                new WebhookSettings(
                        Map.of("courier", new WebhookSettings.Endpoint(url, Duration.ofSeconds(1), requestTimeout))),
                PUBLISH_TIMEOUT);
    }

    /** Whose fault an answer with {@code status} is. */
    private static PublishFailure kindOf(HttpWebhookPublisher publisher, int status) {
        return publisher.classify(
                record(event()), new WebhookDeliveryException("courier", status, "answered " + status, null));
    }

    private static EventEnvelope event() {
        return EventEnvelope.of(
                "CourierTaskChanged",
                "CourierNotification",
                "o-1",
                null,
                "{\"orderId\":\"o-1\",\"change\":\"ORDER_ADDED\"}");
    }

    private static OutboxRecord record(EventEnvelope event) {
        return new OutboxRecord(1, "webhook:courier", event, 1);
    }

    private static Throwable failure(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("publish did not complete", e);
        }
        throw new AssertionError("publish succeeded");
    }
}
