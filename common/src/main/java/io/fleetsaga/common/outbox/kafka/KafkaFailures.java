package io.fleetsaga.common.outbox.kafka;

import io.fleetsaga.common.outbox.PublishFailure;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Whose fault a failed Kafka send is ({@link PublishFailure}), along the cause chain (the producer's exceptions
 * arrive wrapped, e.g. in Spring's {@code KafkaProducerException}):
 *
 * <table>
 *   <caption>Kafka failures</caption>
 *   <tr><th>exception</th><th>kind</th><th>why</th></tr>
 *   <tr><td>{@link RetriableException}: timeouts (also {@code max.block.ms}, {@code delivery.timeout.ms}), not enough
 *       replicas, network errors, unknown topic or partition, not leader</td><td>transport</td>
 *       <td>the broker is away or recovering</td></tr>
 *   <tr><td>{@link AuthenticationException}, {@link ClusterAuthorizationException}</td><td>transport</td>
 *       <td>the client's credentials or rights: no record of the lane can go, parking would park every head; the
 *       lane backs off, its alert speaks, the rows wait for the fix</td></tr>
 *   <tr><td>{@link RecordTooLargeException}, {@link RecordBatchTooLargeException}, {@link SerializationException},
 *       {@link InvalidTopicException}, {@link InvalidRecordException}, other {@link AuthorizationException}s (e.g.
 *       topic ACLs)</td><td>record</td><td>this record or its topic is refused; retrying cannot help</td></tr>
 *   <tr><td>anything else</td><td>see {@link PublishFailure#classify(Throwable)}</td><td></td></tr>
 * </table>
 */
final class KafkaFailures {

    private KafkaFailures() {}

    static PublishFailure classify(Throwable failure) {
        for (Throwable t : PublishFailure.causes(failure)) {
            String name = t.getClass().getSimpleName();
            if (t instanceof AuthenticationException || t instanceof ClusterAuthorizationException) {
                return PublishFailure.transport(name);
            }
            if (t instanceof RecordTooLargeException
                    || t instanceof RecordBatchTooLargeException
                    || t instanceof SerializationException
                    || t instanceof InvalidTopicException
                    || t instanceof InvalidRecordException
                    || t instanceof AuthorizationException) {
                return PublishFailure.record(name);
            }
            if (t instanceof RetriableException || t instanceof InterruptException) {
                return PublishFailure.transport(name);
            }
        }
        return PublishFailure.classify(failure);
    }
}
