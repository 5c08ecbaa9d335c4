package io.fleetsaga.bench;

import io.fleetsaga.common.event.EnvelopeCodec;
import io.fleetsaga.common.outbox.OutboxRecord;
import io.fleetsaga.common.outbox.kafka.KafkaOutboxPublisher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Kafka's own producer on the same broker, the transport's ceiling for the relay: Kafka's {@code
 * org.apache.kafka.tools.ProducerPerformance} (its own JVM, this JVM's classpath), and the kit's Kafka publisher
 * without the database, in synchronous batches like the relay's.
 */
final class ProducerCeiling {

    /** ProducerPerformance's summary line, e.g. "100000 records sent, 63000.5 records/sec (24.03 MB/sec), …". */
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+)"
            + " MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th,"
            + " (\\d+) ms 99th, (\\d+) ms 99.9th");

    /** ProducerPerformance's result: its own figures, as it printed them. */
    record PerfResult(
            long records,
            double recordsPerSecond,
            double avgMs,
            double maxMs,
            long p50Ms,
            long p95Ms,
            long p99Ms,
            long p999Ms,
            String summary,
            List<String> arguments) {}

    /** A synchronous-batches run: events/s and the time of each batch from its first send to its last ack. */
    record BatchResult(long records, int batchSize, double seconds, Histogram batchMicros, Histogram sendToAckMicros) {
        double eventsPerSecond() {
            return records / seconds;
        }
    }

    private ProducerCeiling() {}

    /**
     * Runs ProducerPerformance with {@code producerProperties} (the relay's producer settings: acks=all,
     * idempotent, its linger and in-flight bound) as a child JVM, unthrottled ({@code throughput} -1) or at a given
     * rate (records/s); returns its last summary line.
     */
    static PerfResult producerPerformance(
            String topic,
            long records,
            int recordSize,
            long throughput,
            Map<String, Object> producerProperties,
            Path log,
            Output out)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                "org.apache.kafka.tools.ProducerPerformance"));
        List<String> arguments = new ArrayList<>(List.of(
                "--topic",
                topic,
                "--num-records",
                Long.toString(records),
                "--record-size",
                Integer.toString(recordSize),
                "--throughput",
                Long.toString(throughput),
                "--command-property"));
        producerProperties.forEach((key, value) -> {
            if (!key.endsWith("serializer")) {
                arguments.add(key + "=" + value);
            }
        });
        command.addAll(arguments);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("ProducerPerformance did not finish in 30 min; see " + log);
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        lines.forEach(line -> out.line("  | %s", line));
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = SUMMARY.matcher(lines.get(i));
            if (m.find()) {
                return new PerfResult(
                        Long.parseLong(m.group(1)),
                        Double.parseDouble(m.group(2)),
                        Double.parseDouble(m.group(4)),
                        Double.parseDouble(m.group(5)),
                        Long.parseLong(m.group(6)),
                        Long.parseLong(m.group(7)),
                        Long.parseLong(m.group(8)),
                        Long.parseLong(m.group(9)),
                        lines.get(i).strip(),
                        arguments);
            }
        }
        throw new IllegalStateException(
                "ProducerPerformance printed no summary (exit " + process.exitValue() + "); see " + log);
    }

    /**
     * The kit's {@link KafkaOutboxPublisher} on the relay's producer settings, with the relay's records (key,
     * encoded envelope, headers) but no database: {@code batchSize} sends, wait for every acknowledgement, repeat.
     */
    static BatchResult synchronousBatches(
            String topic, long records, int batchSize, int aggregates, Map<String, Object> producerProperties) {
        DefaultKafkaProducerFactory<String, String> producers =
                new DefaultKafkaProducerFactory<>(producerProperties, new StringSerializer(), new StringSerializer());
        try {
            KafkaTemplate<String, String> template = new KafkaTemplate<>(producers);
            KafkaOutboxPublisher publisher = new KafkaOutboxPublisher(template, new EnvelopeCodec());
            template.partitionsFor(topic);
            Histogram batchMicros = new ConcurrentHistogram(3);
            Histogram sendToAck = new ConcurrentHistogram(3);
            List<OutboxRecord> batch = new ArrayList<>(batchSize);
            long started = System.nanoTime();
            for (long i = 0; i < records; i++) {
                String aggregateId = OutboxFill.aggregateId("sync", i % aggregates);
                batch.add(new OutboxRecord(i + 1, topic, OutboxFill.envelope(aggregateId, i / aggregates + 1), 1));
                if (batch.size() == batchSize || i == records - 1) {
                    long batchStarted = System.nanoTime();
                    List<CompletableFuture<?>> futures = new ArrayList<>(batch.size());
                    for (OutboxRecord record : batch) {
                        long sent = System.nanoTime();
                        futures.add(publisher
                                .publish(record)
                                .whenComplete((ok, failure) ->
                                        sendToAck.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000))));
                    }
                    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                            .join();
                    batchMicros.recordValue(Math.max(1, (System.nanoTime() - batchStarted) / 1000));
                    batch.clear();
                }
            }
            return new BatchResult(records, batchSize, (System.nanoTime() - started) / 1e9, batchMicros, sendToAck);
        } finally {
            producers.destroy();
        }
    }

    /** The producer properties without the client id (ProducerPerformance sets its own). */
    static Map<String, Object> withoutClientId(Map<String, Object> properties) {
        Map<String, Object> copy = new java.util.HashMap<>(properties);
        copy.remove(ProducerConfig.CLIENT_ID_CONFIG);
        return copy;
    }
}
