package io.fleetsaga.common.deadletter;

import io.fleetsaga.common.deadletter.DeadLetterActions.Action;
import io.fleetsaga.common.deadletter.DeadLetterActions.Handling;
import io.fleetsaga.common.deadletter.DeadLetterLog.Range;
import jakarta.annotation.Nullable;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * What ops can do with this service's dead letters: see them, replay them to the topic they came from, or discard
 * them.
 *
 * <p><b>Reading</b> never disturbs the consumers: a short-lived consumer without a group assigns itself the
 * partition, seeks and reads; nothing is committed.
 *
 * <p><b>Replaying is safe</b> because every consumer of the kit is idempotent: the inbox records each event id in
 * the transaction of its effect, and order states carry a version that is applied only when newer. A replayed
 * record that was already applied (a replay of a replay, two operators at once) is acknowledged and skipped by the
 * inbox. A replay publishes the dead letter's original key, value and headers — minus Spring Kafka's
 * {@code kafka_dlt-*} failure headers, plus {@value #REPLAYED_FROM} naming the dead letter — to its original topic,
 * keyed as before (so in the order of its key's other records from now on), with the kit's idempotent,
 * {@code acks=all} producer, and waits for the broker's acknowledgement.
 *
 * <p><b>Replaying is recorded</b> ({@code dead_letter_action}): a dead letter is replayed once unless {@code force}
 * is given; a replay of all skips dead letters replayed or discarded before and stops at the end offsets read when
 * it started, so a record that fails again (back in the dead-letter topic, at a new offset) is not replayed again by
 * the same request — it is a new dead letter. A replay that the broker did not acknowledge is not recorded and can
 * simply be repeated. The record is claimed before it is published: should the instance die in between, the dead
 * letter stays "REPLAYING" — still pending for the gauge — and {@code force} takes it over once the claim is older
 * than three times the broker timeout (at worst the consumer's inbox skips the duplicate).
 */
public final class DeadLetterOperations {

    /** Header of a replayed record: the dead letter it is a copy of, {@code <topic>-<partition>@<offset>}. */
    public static final String REPLAYED_FROM = "fleetsaga-replayed-from";

    /** Prefix of the headers Spring Kafka's dead-letter publisher adds (original coordinates, exception). */
    static final String DLT_HEADER_PREFIX = "kafka_dlt-";

    public static final int MAX_PAGE = 500;
    public static final int MAX_REPLAY_ALL = 10_000;
    private static final int MAX_MESSAGE = 2000;

    private static final Logger log = LoggerFactory.getLogger(DeadLetterOperations.class);

    /** Receives what ops did, e.g. to count it. */
    public interface Listener {
        default void replayed(String originalTopic) {}

        default void discarded(String originalTopic) {}
    }

    private final DeadLetterTopics topics;
    private final DeadLetterLog broker;
    private final DeadLetterActions actions;
    private final int previewBytes;
    private final List<Listener> listeners;
    private final Duration abandonedAfter;

    DeadLetterOperations(
            DeadLetterTopics topics,
            DeadLetterLog broker,
            DeadLetterActions actions,
            int previewBytes,
            Duration timeout,
            List<? extends Listener> listeners) {
        this.topics = topics;
        this.broker = broker;
        this.actions = actions;
        this.previewBytes = previewBytes;
        this.listeners = List.copyOf(listeners);
        // a replay claimed for longer than its publish may take was abandoned (the instance died): force may take it
        this.abandonedAfter = timeout.multipliedBy(3);
    }

    /** Every dead-letter topic of this service with its partitions' offsets, records kept and records pending. */
    public List<DeadLetterTopic> summary() {
        Map<String, String> all = topics.all();
        Map<String, List<Range>> byTopic = new LinkedHashMap<>();
        all.keySet().forEach(t -> byTopic.put(t, new ArrayList<>()));
        for (Range range : broker.ranges(all.keySet())) {
            byTopic.get(range.partition().topic()).add(range);
        }
        List<DeadLetterTopic> summary = new ArrayList<>();
        byTopic.forEach((topic, ranges) -> {
            long kept = 0;
            long pending = 0;
            List<DeadLetterPartition> partitions = new ArrayList<>();
            for (Range range : ranges) {
                long records = range.end() - range.start();
                kept += records;
                pending += records
                        - actions.countInRange(topic, range.partition().partition(), range.start(), range.end());
                partitions.add(new DeadLetterPartition(range.partition().partition(), range.start(), range.end()));
            }
            partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            summary.add(new DeadLetterTopic(topic, all.get(topic), kept, pending, partitions));
        });
        return summary;
    }

    /** Up to {@code limit} dead letters of one partition from offset {@code from} (its first kept one if null). */
    public DeadLetterPage list(String topic, int partition, Long from, int limit) {
        topics.originalOf(topic);
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE);
        }
        Range range = broker.range(new TopicPartition(topic, partition));
        long start = from == null ? range.start() : Math.max(from, range.start());
        List<ConsumerRecord<byte[], byte[]>> records = broker.read(range.partition(), start, range.end(), limit);
        long to = records.isEmpty() ? start : records.get(records.size() - 1).offset() + 1;
        Map<Long, Handling> handled = actions.inRange(topic, partition, start, to);
        List<DeadLetter> letters = records.stream()
                .map(r -> view(r, Optional.ofNullable(handled.get(r.offset()))))
                .toList();
        return new DeadLetterPage(topic, partition, range.start(), range.end(), letters, to < range.end() ? to : null);
    }

    /**
     * Replays one dead letter to its original topic; a second replay of the same one needs {@code force} (else
     * {@code ALREADY_HANDLED}).
     */
    public DeadLetterReplay replay(DeadLetterAddress address, boolean force) {
        topics.originalOf(address.topic());
        ConsumerRecord<byte[], byte[]> record = readOne(address);
        Optional<Action> previous = Optional.empty();
        if (!actions.claim(address, Action.REPLAYING)) {
            Handling earlier = actions.find(address).orElse(null);
            if (earlier == null || !force || !actions.reclaim(address, earlier.action(), abandonedAfter)) {
                throw alreadyHandled(address, earlier);
            }
            previous = Optional.of(earlier.action());
        }
        return publish(address, record, previous);
    }

    /** Marks a dead letter as handled without replaying it (a record that can never be applied). */
    public DeadLetterHandled discard(DeadLetterAddress address) {
        String original = topics.originalOf(address.topic());
        readOne(address);
        if (!actions.claim(address, Action.DISCARDED)) {
            throw alreadyHandled(address, actions.find(address).orElse(null));
        }
        listeners.forEach(l -> l.discarded(original));
        log.info("dead letter {} discarded by ops", address);
        return new DeadLetterHandled(address, Action.DISCARDED.name(), null);
    }

    /**
     * Replays, oldest first per partition, every dead letter of {@code topic} (all of this service's dead-letter
     * topics if null) that was neither replayed nor discarded, up to the end offsets read now and at most
     * {@code limit} of them. Stops at the first replay the broker does not acknowledge.
     */
    public DeadLetterReplayAll replayAll(String topic, int limit) {
        if (limit < 1 || limit > MAX_REPLAY_ALL) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_REPLAY_ALL);
        }
        List<String> chosen = topic == null ? List.copyOf(topics.all().keySet()) : List.of(topic);
        chosen.forEach(topics::originalOf);
        List<Range> upTo = broker.ranges(chosen);
        int replayed = 0;
        int skipped = 0;
        String error = null;
        boolean complete = true;
        outer:
        for (Range range : upTo) {
            long next = range.start();
            while (next < range.end()) {
                if (replayed >= limit) {
                    complete = false;
                    break outer;
                }
                List<ConsumerRecord<byte[], byte[]>> batch =
                        broker.read(range.partition(), next, range.end(), Math.min(MAX_PAGE, limit - replayed));
                if (batch.isEmpty()) {
                    break;
                }
                next = batch.get(batch.size() - 1).offset() + 1;
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    DeadLetterAddress address =
                            new DeadLetterAddress(record.topic(), record.partition(), record.offset());
                    if (!actions.claim(address, Action.REPLAYING)) {
                        skipped++;
                        continue;
                    }
                    try {
                        publish(address, record, Optional.empty());
                        replayed++;
                    } catch (DeadLetterException e) {
                        error = e.getMessage();
                        complete = false;
                        break outer;
                    }
                }
            }
        }
        List<DeadLetterPartitionEnd> offsets = upTo.stream()
                .map(r -> new DeadLetterPartitionEnd(
                        r.partition().topic(), r.partition().partition(), r.end()))
                .toList();
        return new DeadLetterReplayAll(chosen, replayed, skipped, offsets, complete, error);
    }

    private DeadLetterReplay publish(
            DeadLetterAddress address, ConsumerRecord<byte[], byte[]> record, Optional<Action> previous) {
        String original = originalTopic(record);
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith(DLT_HEADER_PREFIX) && !header.key().equals(REPLAYED_FROM)) {
                headers.add(header);
            }
        }
        headers.add(REPLAYED_FROM, address.toString().getBytes(StandardCharsets.UTF_8));
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        Integer partition = record.key() == null ? originalPartition(record) : null;
        RecordMetadata sent;
        try {
            sent = broker.publish(new ProducerRecord<>(original, partition, key, record.value(), headers));
        } catch (RuntimeException e) {
            actions.release(address, previous);
            throw e;
        }
        String to = sent.topic() + "-" + sent.partition() + "@" + sent.offset();
        actions.replayed(address, to);
        listeners.forEach(l -> l.replayed(original));
        log.info("dead letter {} (key {}) replayed to {}", address, key, to);
        return new DeadLetterReplay(address, sent.topic(), sent.partition(), sent.offset(), previous.isPresent());
    }

    private ConsumerRecord<byte[], byte[]> readOne(DeadLetterAddress address) {
        TopicPartition partition = new TopicPartition(address.topic(), address.partition());
        Range range = broker.range(partition);
        if (address.offset() < range.start() || address.offset() >= range.end()) {
            throw new DeadLetterException(
                    DeadLetterException.Reason.NOT_FOUND,
                    "no dead letter " + address + ": " + partition + " keeps offsets " + range.start() + " to "
                            + (range.end() - 1) + (range.start() == range.end() ? " (none)" : ""));
        }
        List<ConsumerRecord<byte[], byte[]>> read = broker.read(partition, address.offset(), range.end(), 1);
        if (read.isEmpty() || read.get(0).offset() != address.offset()) {
            throw new DeadLetterException(DeadLetterException.Reason.NOT_FOUND, "no dead letter " + address);
        }
        return read.get(0);
    }

    private String originalTopic(ConsumerRecord<byte[], byte[]> record) {
        String header = text(record, KafkaHeaders.DLT_ORIGINAL_TOPIC);
        return header != null ? header : topics.originalOf(record.topic());
    }

    private static Integer originalPartition(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_PARTITION);
        return header == null || header.value().length != 4
                ? null
                : ByteBuffer.wrap(header.value()).getInt();
    }

    private static Long originalOffset(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET);
        return header == null || header.value().length != 8
                ? null
                : ByteBuffer.wrap(header.value()).getLong();
    }

    private static Instant originalTimestamp(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP);
        return header == null || header.value().length != 8
                ? null
                : Instant.ofEpochMilli(ByteBuffer.wrap(header.value()).getLong());
    }

    private static String text(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private DeadLetter view(ConsumerRecord<byte[], byte[]> record, Optional<Handling> handling) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        byte[] head = Arrays.copyOf(value, Math.min(value.length, previewBytes));
        String valueText = utf8Prefix(head);
        String message = text(record, KafkaHeaders.DLT_EXCEPTION_MESSAGE);
        if (message != null && message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        String key = record.key() == null ? null : utf8Prefix(record.key());
        return new DeadLetter(
                record.topic(),
                record.partition(),
                record.offset(),
                Instant.ofEpochMilli(record.timestamp()),
                key != null
                        ? key
                        : record.key() == null
                                ? null
                                : "base64:" + Base64.getEncoder().encodeToString(record.key()),
                text(record, KafkaHeaders.DLT_ORIGINAL_TOPIC),
                originalPartition(record),
                originalOffset(record),
                originalTimestamp(record),
                text(record, KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP),
                text(record, KafkaHeaders.DLT_EXCEPTION_FQCN),
                text(record, KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN),
                message,
                text(record, REPLAYED_FROM),
                value.length,
                valueText,
                valueText == null ? Base64.getEncoder().encodeToString(head) : null,
                head.length < value.length,
                Arrays.stream(record.headers().toArray()).map(Header::key).toList(),
                handling.map(h -> h.action().name()).orElse(null),
                handling.map(Handling::at).orElse(null),
                handling.map(Handling::replayedTo).orElse(null));
    }

    /**
     * The bytes as text if they are UTF-8 without control characters other than tab and line breaks (a multi-byte
     * character cut at the end is dropped), else null.
     */
    static String utf8Prefix(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        var result = decoder.decode(in, out, true);
        if (result.isError() && in.remaining() > 3) {
            return null;
        }
        if (result.isError()) { // only a cut character at the very end may be left
            byte[] rest = new byte[in.remaining()];
            in.get(rest);
            if (!truncatedSequence(rest)) {
                return null;
            }
        }
        out.flip();
        String text = out.toString();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                return null;
            }
        }
        return text;
    }

    private static boolean truncatedSequence(byte[] rest) {
        if (rest.length == 0 || rest.length > 3 || (rest[0] & 0xC0) != 0xC0) {
            return false;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(rest));
            return false; // a whole character is no truncation
        } catch (CharacterCodingException e) {
            for (int i = 1; i < rest.length; i++) {
                if ((rest[i] & 0xC0) != 0x80) {
                    return false;
                }
            }
            return true;
        }
    }

    private static DeadLetterException alreadyHandled(DeadLetterAddress address, Handling earlier) {
        String what = earlier == null
                ? "is being acted on"
                : switch (earlier.action()) {
                    case REPLAYING ->
                        "is being replayed (since " + earlier.at() + "); a replay abandoned for longer"
                                + " than three times fleetsaga.consumer.dead-letters.timeout can be taken over with force=true";
                    case REPLAYED ->
                        "was replayed to " + earlier.replayedTo() + " at " + earlier.at()
                                + "; replay it again with force=true";
                    case DISCARDED -> "was discarded at " + earlier.at() + "; replay it with force=true";
                };
        return new DeadLetterException(
                DeadLetterException.Reason.ALREADY_HANDLED, "dead letter " + address + " " + what);
    }

    /** One dead-letter topic. */
    public record DeadLetterTopic(
            String topic, String originalTopic, long records, long pending, List<DeadLetterPartition> partitions) {}

    /** Offsets of one partition: it keeps {@code [startOffset, endOffset)}. */
    public record DeadLetterPartition(int partition, long startOffset, long endOffset) {}

    /** The end offset of a partition when a replay of all started: it replays nothing from there on. */
    public record DeadLetterPartitionEnd(String topic, int partition, long endOffset) {}

    /** Dead letters of one partition; {@code nextOffset} is where the next page starts (null: none left). */
    public record DeadLetterPage(
            String topic,
            int partition,
            long startOffset,
            long endOffset,
            List<DeadLetter> records,
            @Nullable Long nextOffset) {}

    /**
     * One dead letter as ops sees it: where it is, where it came from and why it failed (Spring Kafka's dead-letter
     * headers), the first bytes of its value — as text if they are printable UTF-8, else Base64 — and what ops did
     * with it ({@code handled}: {@code REPLAYING}, {@code REPLAYED} to {@code replayedTo}, {@code DISCARDED}; null:
     * nothing yet, it counts as pending).
     */
    public record DeadLetter(
            String topic,
            int partition,
            long offset,
            Instant timestamp,
            @Nullable String key,
            @Nullable String originalTopic,
            @Nullable Integer originalPartition,
            @Nullable Long originalOffset,
            @Nullable Instant originalTimestamp,
            @Nullable String consumerGroup,
            @Nullable String exceptionClass,
            @Nullable String exceptionCauseClass,
            @Nullable String exceptionMessage,
            @Nullable String replayedFrom,
            int valueSize,
            @Nullable String valueText,
            @Nullable String valueBase64,
            boolean valueTruncated,
            List<String> headers,
            @Nullable String handled,
            @Nullable Instant handledAt,
            @Nullable String replayedTo) {}

    /** What was done with a dead letter: {@code REPLAYING}, {@code REPLAYED} (to {@code replayedTo}), {@code DISCARDED}. */
    public record DeadLetterHandled(
            DeadLetterAddress deadLetter,
            String action,
            @Nullable String replayedTo) {}

    /** A replay: the dead letter and where its copy went; {@code again} if it had been replayed or discarded before. */
    public record DeadLetterReplay(
            DeadLetterAddress deadLetter, String topic, int partition, long offset, boolean again) {}

    /**
     * A replay of all: how many were replayed and skipped (handled before), the offsets it went up to, whether it
     * got there ({@code complete}; else the limit was reached or the broker failed: {@code error}).
     */
    public record DeadLetterReplayAll(
            List<String> topics,
            int replayed,
            int skipped,
            List<DeadLetterPartitionEnd> upTo,
            boolean complete,
            @Nullable String error) {}
}
