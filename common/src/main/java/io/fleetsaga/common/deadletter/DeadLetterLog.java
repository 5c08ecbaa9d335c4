package io.fleetsaga.common.deadletter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;

/**
 * The broker side of dead letters: offsets through an admin client, reading through a short-lived consumer that
 * joins no group ({@code assign} and {@code seek}, no {@code group.id}, so it can neither take partitions from the
 * service's consumers nor commit anything), replays through the kit's dead-letter producer (idempotent,
 * {@code acks=all}). Every call is bounded by {@code timeout}; a broker that does not answer is a {@link
 * DeadLetterException} with reason {@code BROKER_UNAVAILABLE}.
 */
final class DeadLetterLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterLog.class);

    /** First and end offset of a partition: the records kept are {@code [start, end)}. */
    record Range(TopicPartition partition, long start, long end) {}

    private final Map<String, Object> adminProperties;
    private final Map<String, Object> consumerProperties;
    private final KafkaOperations<String, byte[]> producer;
    private final Duration timeout;
    private final Optional<Short> replicationFactor;
    private final Map<String, String> topicConfigs;
    private Admin admin;

    /**
     * @param replicationFactor of the dead-letter topics it creates; empty: the broker's default
     * @param topicConfigs further configuration of the dead-letter topics it creates (besides their retention)
     */
    DeadLetterLog(
            Map<String, Object> adminProperties,
            Map<String, Object> consumerProperties,
            KafkaOperations<String, byte[]> producer,
            Duration timeout,
            Optional<Short> replicationFactor,
            Map<String, String> topicConfigs) {
        this.replicationFactor = replicationFactor;
        this.topicConfigs = Map.copyOf(topicConfigs);
        this.adminProperties = new HashMap<>(adminProperties);
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        this.adminProperties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        this.adminProperties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        this.consumerProperties = readerProperties(consumerProperties, millis);
        this.producer = producer;
        this.timeout = timeout;
    }

    private static Map<String, Object> readerProperties(Map<String, Object> base, int timeoutMillis) {
        Map<String, Object> properties = new HashMap<>(base);
        // no group: assign() and seek() only; nothing is committed, no partition is taken from a group member
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis);
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis);
        properties.remove(ConsumerConfig.CLIENT_ID_CONFIG);
        return properties;
    }

    /** The kept records of every partition of these topics; a topic that does not exist has none. */
    List<Range> ranges(Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            partitions.addAll(partitions(topic));
        }
        if (partitions.isEmpty()) {
            return List.of();
        }
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> {
            earliest.put(p, OffsetSpec.earliest());
            latest.put(p, OffsetSpec.latest());
        });
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start =
                await(admin().listOffsets(earliest).all(), "offsets of " + topics);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
                await(admin().listOffsets(latest).all(), "offsets of " + topics);
        return partitions.stream()
                .map(p -> new Range(p, start.get(p).offset(), end.get(p).offset()))
                .toList();
    }

    Range range(TopicPartition partition) {
        return ranges(List.of(partition.topic())).stream()
                .filter(r -> r.partition().equals(partition))
                .findFirst()
                .orElseThrow(() -> new DeadLetterException(
                        DeadLetterException.Reason.NOT_FOUND, "no partition " + partition + " (yet)"));
    }

    private List<TopicPartition> partitions(String topic) {
        return describe(topic)
                .map(d -> d.partitions().stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList())
                .orElse(List.of());
    }

    private Optional<TopicDescription> describe(String topic) {
        try {
            return Optional.of(admin().describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw unavailable("describe " + topic, e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("describe " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("describe " + topic, e);
        }
    }

    /**
     * Up to {@code limit} records of one partition from offset {@code from} (inclusive) to {@code end} (exclusive),
     * read by a consumer that exists for this call only.
     */
    List<ConsumerRecord<byte[], byte[]>> read(TopicPartition partition, long from, long end, int limit) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        if (from >= end || limit <= 0) {
            return records;
        }
        Map<String, Object> properties = new HashMap<>(consumerProperties);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "dead-letter-reader-" + UUID.randomUUID());
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, Math.min(limit, 500)));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, from);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < limit && consumer.position(partition, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw unavailable("read " + partition + " from " + from, null);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end && records.size() < limit) {
                        records.add(record);
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw unavailable("read " + partition + " from " + from, e);
        }
        return records;
    }

    /** Publishes and waits for the broker's acknowledgement. */
    RecordMetadata publish(ProducerRecord<String, byte[]> record) {
        try {
            return producer.send(record)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .getRecordMetadata();
        } catch (ExecutionException e) {
            throw unavailable("publish to " + record.topic(), e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("publish to " + record.topic(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("publish to " + record.topic(), e);
        }
    }

    /**
     * Creates each missing dead-letter topic with as many partitions as its original topic (not before the original
     * exists), the replication factor and configuration it was given (those of {@code fleetsaga.kafka.topics.*} where
     * the service declares its topics, so that whoever of the two creates it first, it has the same shape) and
     * {@code retention}, and raises the retention of an existing one that keeps records for less (never
     * lowers it, never touches an infinite one). Returns whether every topic is done.
     */
    boolean ensure(Map<String, String> deadLetterToOriginal, Duration retention) {
        boolean done = true;
        String retentionMs = Long.toString(retention.toMillis());
        for (Map.Entry<String, String> topic : deadLetterToOriginal.entrySet()) {
            String name = topic.getKey();
            Optional<TopicDescription> existing = describe(name);
            if (existing.isEmpty()) {
                Optional<TopicDescription> original = describe(topic.getValue());
                if (original.isEmpty()) {
                    done = false; // created with the original's partitions once that exists
                    continue;
                }
                Map<String, String> configs = new HashMap<>(topicConfigs);
                configs.put(TopicConfig.RETENTION_MS_CONFIG, retentionMs);
                NewTopic created = new NewTopic(
                                name, Optional.of(original.get().partitions().size()), replicationFactor)
                        .configs(configs);
                try {
                    await(admin().createTopics(List.of(created)).all(), "create " + name);
                    log.info(
                            "created dead-letter topic {} ({} partitions, retention {})",
                            name,
                            original.get().partitions().size(),
                            retention);
                    continue;
                } catch (DeadLetterException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // created meanwhile (by the broker on a first dead letter, or another instance): check it below
                }
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
            ConfigEntry current = await(
                            admin().describeConfigs(List.of(resource)).all(), "configuration of " + name)
                    .get(resource)
                    .get(TopicConfig.RETENTION_MS_CONFIG);
            long currentMs = current == null || current.value() == null ? 0 : Long.parseLong(current.value());
            if (currentMs >= 0 && currentMs < retention.toMillis()) {
                AlterConfigOp raise = new AlterConfigOp(
                        new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, retentionMs), AlterConfigOp.OpType.SET);
                await(
                        admin().incrementalAlterConfigs(Map.of(resource, List.of(raise)))
                                .all(),
                        "raise the retention of " + name);
                log.info("raised the retention of dead-letter topic {} from {} ms to {}", name, currentMs, retention);
            }
        }
        return done;
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unavailable(what, e.getCause());
        } catch (TimeoutException e) {
            throw unavailable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(what, e);
        }
    }

    private DeadLetterException unavailable(String what, Throwable cause) {
        return new DeadLetterException(
                DeadLetterException.Reason.BROKER_UNAVAILABLE,
                "could not " + what + " within " + timeout + (cause == null ? "" : ": " + cause),
                cause);
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminProperties);
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
