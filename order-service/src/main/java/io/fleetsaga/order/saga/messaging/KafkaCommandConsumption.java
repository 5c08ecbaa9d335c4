package io.fleetsaga.order.saga.messaging;

import io.fleetsaga.common.messaging.BoundedAdmin;
import io.fleetsaga.common.messaging.BoundedAdmin.BrokerCallException;
import io.fleetsaga.order.messaging.OrderTopics;
import io.fleetsaga.order.saga.CommandConsumption;
import io.fleetsaga.order.saga.SagaSettings;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * {@link CommandConsumption} over the broker's admin API: the committed offsets of {@code fleetsaga.saga.consumer-group}
 * (assignment-service) on {@value OrderTopics#ORDER_EVENTS}, where the saga's commands go.
 *
 * <p>The group has passed the commands acknowledged up to {@code sentAt} when, on <b>every</b> partition, its committed
 * offset (the next offset it will consume) is at least the first offset whose record timestamp is at or after {@code
 * sentAt} + {@value #CLOCK_SKEW_MILLIS} ms — the end offset when there is none. Every partition, because this class
 * does not assume the producer's partitioner; the margin, because a record's timestamp is the relay's clock at send
 * time and {@code sentAt} the database clock after the acknowledgement: a record appended before the command was
 * acknowledged has an earlier timestamp unless those clocks differ by more than the margin. A partition with no
 * committed offset counts as consumed up to offset 0 (the group starts from the earliest).
 *
 * <p><b>A group without any committed offset on the topic</b> (a misconfigured {@code consumer-group}, or nothing was
 * ever consumed) counts as having passed everything: otherwise a wrong name would silently switch every saga timeout
 * off. It is logged as a WARN once. <b>A broker that cannot be asked</b> (every call is bounded by {@code
 * fleetsaga.saga.consumer-timeout}) means not passed: the sagas past their deadline wait — during an outage nothing
 * moves anyway — and the checker asks again at its next look; logged when it starts and when it ends.
 *
 * <p>A {@link Progress} reads the group's committed offsets and the end offsets once, at its first question that needs
 * them, and remembers its answers: a deadline check that asks in acknowledgement order costs three calls, plus one
 * {@code listOffsets} by timestamp per distinct answer while the group lags.
 */
@Component
class KafkaCommandConsumption implements CommandConsumption, DisposableBean {

    static final long CLOCK_SKEW_MILLIS = 1000;

    private static final Logger log = LoggerFactory.getLogger(KafkaCommandConsumption.class);
    private static final String TOPIC = OrderTopics.ORDER_EVENTS;

    private final BoundedAdmin admin;
    private final String group;
    private final int timeoutMillis;
    private final AtomicBoolean warnedNoOffsets = new AtomicBoolean();
    private final AtomicBoolean unavailable = new AtomicBoolean();

    KafkaCommandConsumption(KafkaAdmin kafkaAdmin, SagaSettings settings) {
        this.admin = new BoundedAdmin(kafkaAdmin, settings.consumerTimeout());
        this.group = settings.consumerGroup();
        this.timeoutMillis = admin.timeoutMillis();
    }

    @Override
    public Progress progress() {
        return new BrokerProgress();
    }

    /** Offsets of the command topic's partitions: the group's committed ones and the log ends. */
    record Positions(Map<Integer, Long> committed, Map<Integer, Long> ends) {

        /** Partitions whose end the group has not reached. */
        Set<Integer> lagging() {
            Set<Integer> lagging = new TreeSet<>();
            ends.forEach((p, end) -> {
                if (committed.getOrDefault(p, 0L) < end) {
                    lagging.add(p);
                }
            });
            return lagging;
        }

        /**
         * Whether the group passed, on every lagging partition, the first offset at or after the time asked about
         * ({@code atTime}: the offset by timestamp, negative or missing when no record is that late: the end).
         */
        boolean passed(Map<Integer, Long> atTime) {
            for (int p : lagging()) {
                long end = ends.get(p);
                long found = atTime.getOrDefault(p, -1L);
                long target = found < 0 ? end : Math.min(found, end);
                if (committed.getOrDefault(p, 0L) < target) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One check's view: reads at most once, remembers the latest time passed and the earliest not passed. */
    private final class BrokerProgress implements Progress {

        private Positions positions;
        private boolean failed;
        private Instant latestPassed;
        private Instant earliestNotPassed;

        @Override
        public boolean passed(Instant sentAt) {
            if (latestPassed != null && !sentAt.isAfter(latestPassed)) {
                return true;
            }
            if (failed || (earliestNotPassed != null && !sentAt.isBefore(earliestNotPassed))) {
                return false;
            }
            boolean passed;
            try {
                if (positions == null) {
                    positions = positions();
                }
                Set<Integer> lagging = positions.lagging();
                passed = positions.committed().isEmpty() && !lagging.isEmpty()
                        ? noOffsets()
                        : positions.passed(offsetsAt(sentAt.plusMillis(CLOCK_SKEW_MILLIS), lagging));
                if (unavailable.compareAndSet(true, false)) {
                    log.info("the progress of consumer group {} on {} can be read again", group, TOPIC);
                }
            } catch (BrokerCallException e) {
                failed = true;
                if (unavailable.compareAndSet(false, true)) {
                    log.warn(
                            "cannot read the progress of consumer group {} on {}: sagas past their deadline wait"
                                    + " until it can be read: {}",
                            group,
                            TOPIC,
                            e.getMessage());
                }
                return false;
            }
            if (passed) {
                latestPassed = sentAt;
            } else {
                earliestNotPassed = sentAt;
            }
            return passed;
        }
    }

    private boolean noOffsets() {
        if (warnedNoOffsets.compareAndSet(false, true)) {
            log.warn(
                    "consumer group {} has no committed offset on {}: saga deadlines do not wait for it. Check"
                            + " fleetsaga.saga.consumer-group (assignment-service's spring.kafka.consumer.group-id)",
                    group,
                    TOPIC);
        }
        return true;
    }

    private Positions positions() {
        Set<Integer> partitions;
        try {
            partitions = Set.copyOf(admin
                    .await(admin.admin()
                            .describeTopics(Set.of(TOPIC), new DescribeTopicsOptions().timeoutMs(timeoutMillis))
                            .allTopicNames())
                    .get(TOPIC)
                    .partitions()
                    .stream()
                    .map(p -> p.partition())
                    .toList());
        } catch (BrokerCallException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return new Positions(Map.of(), Map.of()); // nothing was ever published: nothing to wait for
            }
            throw e;
        }
        Map<Integer, Long> committed = new HashMap<>();
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.await(admin.admin()
                    .listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().timeoutMs(timeoutMillis))
                    .partitionsToOffsetAndMetadata());
            offsets.forEach((p, offset) -> {
                if (p.topic().equals(TOPIC) && offset != null) {
                    committed.put(p.partition(), offset.offset());
                }
            });
        } catch (BrokerCallException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest()));
        return new Positions(committed, offsets(latest));
    }

    private Map<Integer, Long> offsetsAt(Instant time, Set<Integer> partitions) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        partitions.forEach(p -> specs.put(new TopicPartition(TOPIC, p), OffsetSpec.forTimestamp(time.toEpochMilli())));
        return offsets(specs);
    }

    private Map<Integer, Long> offsets(Map<TopicPartition, OffsetSpec> specs) {
        Map<Integer, Long> offsets = new HashMap<>();
        admin.await(admin.admin()
                        .listOffsets(specs, new ListOffsetsOptions().timeoutMs(timeoutMillis))
                        .all())
                .forEach((p, info) -> offsets.put(p.partition(), info.offset()));
        return offsets;
    }

    @Override
    public void destroy() {
        admin.close();
    }
}
