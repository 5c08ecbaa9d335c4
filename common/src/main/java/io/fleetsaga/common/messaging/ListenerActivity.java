package io.fleetsaga.common.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * What each Kafka listener received: the number of records handed to it and when the last one arrived. Fed
 * by a {@link RecordInterceptor} per container ({@link #interceptorFor}); a listener whose container was
 * not created with one is "not tracked" (absent here), never reported as idle.
 *
 * <p>Every delivery counts, redeliveries after a failed attempt included: the figure says the consumer is
 * moving, not that the business effect happened (the inbox metrics say that).
 */
public final class ListenerActivity {

    private final Clock clock;
    private final Map<String, Activity> listeners = new ConcurrentHashMap<>();

    public ListenerActivity(Clock clock) {
        this.clock = clock;
    }

    /**
     * An interceptor for one container (shared by its consumer threads). It returns every record unchanged,
     * so it can sit in front of any other interceptor.
     */
    public RecordInterceptor<Object, Object> interceptorFor(MessageListenerContainer container) {
        return new Tracking(container);
    }

    /** The activity of a listener, empty if its records are not tracked. */
    public Optional<Activity> of(String listenerId) {
        return Optional.ofNullable(listeners.get(listenerId));
    }

    private Activity activity(String listenerId) {
        return listeners.computeIfAbsent(listenerId, id -> new Activity());
    }

    /** Records handed to one listener. */
    public static final class Activity {

        private final AtomicLong records = new AtomicLong();
        private volatile Instant lastRecordAt;
        private final Map<TopicPartition, Failing> failing = new ConcurrentHashMap<>();

        private Activity() {}

        public long records() {
            return records.get();
        }

        /** When the last record was handed to the listener; empty if none since this instance started. */
        public Optional<Instant> lastRecordAt() {
            return Optional.ofNullable(lastRecordAt);
        }

        /**
         * Since when the listener has been failing one record without a success since (the oldest such record over
         * its partitions); empty when nothing is failing. A failure older than {@code forgetAfter} is forgotten: its
         * record was dead-lettered and its partition got no record since, or the partition moved to another instance.
         */
        public Optional<Instant> failingSince(Instant now, Duration forgetAfter) {
            return failing.values().stream()
                    .filter(f -> Duration.between(f.lastFailureAt(), now).compareTo(forgetAfter) <= 0)
                    .map(Failing::since)
                    .min(Instant::compareTo);
        }

        private void seen(ConsumerRecord<?, ?> record, Instant at) {
            records.incrementAndGet();
            lastRecordAt = at;
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            Failing current = failing.get(partition);
            if (current != null && current.offset() != record.offset()) {
                // the failing record is behind us (recovered, dead-lettered or skipped)
                failing.remove(partition, current);
            }
        }

        private void succeeded(ConsumerRecord<?, ?> record) {
            failing.remove(new TopicPartition(record.topic(), record.partition()));
        }

        private void failed(ConsumerRecord<?, ?> record, Instant at) {
            failing.compute(
                    new TopicPartition(record.topic(), record.partition()),
                    (partition, current) -> current == null || current.offset() != record.offset()
                            ? new Failing(record.offset(), at, at)
                            : new Failing(current.offset(), current.since(), at));
        }

        private record Failing(long offset, Instant since, Instant lastFailureAt) {}
    }

    private final class Tracking implements RecordInterceptor<Object, Object> {

        private final MessageListenerContainer container;
        private volatile Activity activity;

        Tracking(MessageListenerContainer container) {
            this.container = container;
            String id = container.getListenerId();
            if (id != null) {
                // known from the start: the listener is tracked before its first record
                activity = activity(id);
            }
        }

        @Override
        public ConsumerRecord<Object, Object> intercept(
                ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
            current().seen(record, clock.instant());
            return record;
        }

        @Override
        public void success(ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
            current().succeeded(record);
        }

        @Override
        public void failure(
                ConsumerRecord<Object, Object> record, Exception exception, Consumer<Object, Object> consumer) {
            current().failed(record, clock.instant());
        }

        private Activity current() {
            Activity current = activity;
            if (current == null) {
                String id = container.getListenerId();
                current = activity(id == null ? "unnamed" : id);
                activity = current;
            }
            return current;
        }
    }
}
