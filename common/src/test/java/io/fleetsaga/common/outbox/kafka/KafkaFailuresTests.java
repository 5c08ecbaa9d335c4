package io.fleetsaga.common.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.outbox.PublishFailure;
import io.fleetsaga.common.outbox.PublishFailure.Kind;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaProducerException;

/** Whose fault a failed Kafka send is, as the producer and Spring's template report it (wrapped). */
class KafkaFailuresTests {

    @Test
    void aBrokerThatIsAwayOrRecoveringIsTheTransportsFault() {
        assertThat(classify(new TimeoutException("Expiring 1 record(s): 1500 ms has passed since batch creation")))
                .isEqualTo(PublishFailure.transport("TimeoutException"));
        assertThat(classify(new NotEnoughReplicasException("not enough replicas"))
                        .kind())
                .isEqualTo(Kind.TRANSPORT);
        assertThat(classify(new NetworkException("disconnected")).kind()).isEqualTo(Kind.TRANSPORT);
        assertThat(classify(new UnknownTopicOrPartitionException("not yet created"))
                        .kind())
                .isEqualTo(Kind.TRANSPORT);
        assertThat(classify(new BufferExhaustedException("buffer full for max.block.ms"))
                        .kind())
                .isEqualTo(Kind.TRANSPORT);
    }

    @Test
    void credentialsOrClusterRightsThatStopEveryRecordBackOffTheLaneInsteadOfParkingEveryHead() {
        assertThat(classify(new SaslAuthenticationException("bad password")).kind())
                .isEqualTo(Kind.TRANSPORT);
        assertThat(classify(new ClusterAuthorizationException("IDEMPOTENT_WRITE denied"))
                        .kind())
                .isEqualTo(Kind.TRANSPORT);
    }

    @Test
    void aRecordOrTopicTheBrokerRefusesIsTheRecordsFault() {
        assertThat(classify(new RecordTooLargeException("1100430 bytes")))
                .isEqualTo(PublishFailure.record("RecordTooLargeException"));
        assertThat(classify(new SerializationException("cannot serialise")).kind())
                .isEqualTo(Kind.RECORD);
        assertThat(classify(new TopicAuthorizationException("no write on topic"))
                        .kind())
                .isEqualTo(Kind.RECORD);
        assertThat(classify(new InvalidTopicException("bad name")).kind()).isEqualTo(Kind.RECORD);
    }

    @Test
    void theRelaysOwnTimeoutIsTheTransportsAndAnythingElseIsUnknown() {
        assertThat(KafkaFailures.classify(new java.util.concurrent.TimeoutException("no acknowledgement"))
                        .kind())
                .isEqualTo(Kind.TRANSPORT);
        assertThat(KafkaFailures.classify(new KafkaException("Send failed", new IllegalStateException("closed"))))
                .isEqualTo(PublishFailure.unknown("KafkaException"));
    }

    /** As the relay sees it: the template's future fails with a KafkaProducerException around the cause. */
    private static PublishFailure classify(Exception cause) {
        KafkaProducerException wrapped =
                new KafkaProducerException(new ProducerRecord<>("t", "k", "v"), "Failed to send", cause);
        assertThat(KafkaFailures.classify(new ExecutionException(wrapped)))
                .as("also through an ExecutionException")
                .isEqualTo(KafkaFailures.classify(wrapped));
        return KafkaFailures.classify(wrapped);
    }
}
