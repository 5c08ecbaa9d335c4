package io.fleetsaga.common.messaging;

import io.fleetsaga.common.event.MalformedEventException;
import io.fleetsaga.common.retry.BackoffPolicy;
import io.fleetsaga.common.retry.JitteredBackOff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;

/**
 * Builds the consumers' error handler: a failing record is retried in place with the kit's full-jitter
 * {@link BackoffPolicy}; when the attempts are spent — or at once for a record that cannot be read
 * ({@link MalformedEventException}) — it is published, with its original bytes and the failure in
 * headers, to {@code <topic><suffix>} and its offset is committed. One poison record therefore never
 * blocks its partition, and nothing is lost: the dead-letter record is counted in
 * {@code kafka_dead_letters_total{topic}}.
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
        return handler;
    }
}
