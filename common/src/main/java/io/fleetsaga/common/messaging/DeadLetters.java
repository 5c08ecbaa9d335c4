package io.fleetsaga.common.messaging;

import io.fleetsaga.common.event.MalformedEventException;
import io.fleetsaga.common.retry.BackoffPolicy;
import io.fleetsaga.common.retry.JitteredBackOff;
import io.fleetsaga.common.web.DatabaseUnavailable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.BackOff;

/**
 * Builds the consumers' error handler: a failing record is retried in place with the kit's full-jitter
 * {@link BackoffPolicy}; when the attempts are spent — or at once for a record that cannot be read
 * ({@link MalformedEventException}) — it is published, with its original bytes and the failure in
 * headers, to {@code <topic><suffix>} and its offset is committed. One poison record therefore never
 * blocks its partition, and nothing is lost: the dead-letter record is counted in
 * {@code kafka_dead_letters_total{topic}}.
 *
 * <p><b>Whose fault (ARCHITECTURE rule 5).</b> A database that does not answer ({@link DatabaseUnavailable}: no
 * connection, a socket or query timeout, a broken connection) is not the record's fault, and neither is contention
 * ({@link #contention}: a lock wait timeout or a deadlock — another transaction holds the rows, e.g. a zombie
 * transaction of a half-open connection until the server ends it): such a failure is retried with the same backoff
 * for as long as it lasts and never dead-letters the record — the partition waits, in order, and the watchdog shows
 * the listener stalled. Any other failure spends the record's attempts and then dead-letters it.
 */
public final class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {}

    public static DefaultErrorHandler errorHandler(
            KafkaOperations<?, ?> template, BackoffPolicy policy, String suffix, MeterRegistry registry) {
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(
                template, (record, e) -> new TopicPartition(record.topic() + suffix, -1));
        DefaultErrorHandler handler = new DefaultErrorHandler(
                (record, e) -> {
                    recoverer.accept(record, e);
                    log.error(
                            "record {}-{}@{} (key {}) dead-lettered to {}{}: {}",
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.key(),
                            record.topic(),
                            suffix,
                            e.toString());
                    if (registry != null) {
                        Counter.builder("kafka.dead.letters")
                                .description("Records moved to a dead-letter topic")
                                .tag("topic", record.topic())
                                .register(registry)
                                .increment();
                    }
                },
                new JitteredBackOff(policy));
        handler.addNotRetryableExceptions(MalformedEventException.class);
        BackoffPolicy outage = untilRecovered(policy);
        handler.setBackOffFunction((record, e) -> backOffFor(e, outage));
        // a record that failed on its content and then on an outage (or back) starts a fresh count
        handler.setResetStateOnExceptionChange(true);
        return handler;
    }

    /**
     * The back-off of a failure: retried without end for an unreachable database or for contention, else the
     * default (null).
     */
    static BackOff backOffFor(Exception failure, BackoffPolicy outage) {
        return DatabaseUnavailable.matches(failure) || contention(failure) ? new JitteredBackOff(outage) : null;
    }

    /**
     * Whether {@code failure} is a lock wait timeout (MySQL error 1205) or a deadlock (1213): the rows were held by
     * another transaction, which says nothing about the record. Found in the fault harness (issue 10): a transaction
     * of a half-open connection held its rows until the server ended it, and a record that only waited for those
     * rows was dead-lettered.
     */
    static boolean contention(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.springframework.dao.PessimisticLockingFailureException
                    || (t instanceof java.sql.SQLException sql
                            && (sql.getErrorCode() == 1205 || sql.getErrorCode() == 1213))) {
                return true;
            }
        }
        return false;
    }

    /** The consumer policy without a last attempt: an outage lasts as long as it lasts. */
    static BackoffPolicy untilRecovered(BackoffPolicy policy) {
        return new BackoffPolicy(policy.initialDelay(), policy.multiplier(), policy.maxDelay(), Integer.MAX_VALUE);
    }
}
