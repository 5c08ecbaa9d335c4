package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessIT {

    @TempDir
    Path dir;

    @Test
    void recordsSurviveKillAndRestartOnTheSamePorts() throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir)) {
            String bootstrap = broker.bootstrapServers();
            String topic = KafkaTestClients.uniqueTopic("kill");
            long firstPid = broker.pid();
            try (KafkaProducer<String, String> producer = KafkaTestClients.producer(bootstrap)) {
                producer.send(new ProducerRecord<>(topic, "k", "before-kill")).get(30, TimeUnit.SECONDS);
            }

            broker.kill();

            assertThat(broker.isRunning()).isFalse();
            assertThat(ProcessHandle.of(firstPid)).isEmpty();
            assertThat(dir.resolve("broker.pid")).doesNotExist();

            broker.restart();

            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.pid()).isNotEqualTo(firstPid);
            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
            try (KafkaProducer<String, String> producer = KafkaTestClients.producer(bootstrap)) {
                producer.send(new ProducerRecord<>(topic, "k", "after-restart")).get(30, TimeUnit.SECONDS);
            }
            assertThat(KafkaTestClients.consumeValues(bootstrap, topic, 2))
                    .containsExactly("before-kill", "after-restart");
        }
    }

    @Test
    void pausedBrokerFailsSendsWithinTheDeliveryTimeoutAndWorksAgainAfterResume() throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir);
                KafkaProducer<String, String> producer = KafkaTestClients.producer(
                        broker.bootstrapServers(),
                        Map.of(
                                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000,
                                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                                ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000))) {
            String topic = KafkaTestClients.uniqueTopic("pause");
            producer.send(new ProducerRecord<>(topic, "k", "warm-up")).get(30, TimeUnit.SECONDS);

            broker.pause();

            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.isPaused()).isTrue();
            long before = System.nanoTime();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k", "while-paused"))
                            .get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));

            broker.resume();

            assertThat(broker.isPaused()).isFalse();
            RecordMetadata metadata = await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(
                            () -> producer.send(new ProducerRecord<>(topic, "k", "after-resume"))
                                    .get(5, TimeUnit.SECONDS),
                            result -> result != null);
            assertThat(metadata.topic()).isEqualTo(topic);
            assertThat(KafkaTestClients.consumeValues(broker.bootstrapServers(), topic, 2))
                    .contains("warm-up", "after-resume");
        }
    }

    @Test
    void aBrokerThatCannotStartFailsFastWithItsLogTail() throws Exception {
        Path logDirs = Files.createDirectories(dir.resolve("kraft-logs"));
        Files.writeString(
                logDirs.resolve("meta.properties"),
                "version=1\ncluster.id=AAAAAAAAAAAAAAAAAAAAAA\nnode.id=7\n"); // formatted for another node

        long before = System.nanoTime();
        assertThatThrownBy(() -> KafkaBrokerProcess.start(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Kafka broker exited")
                .hasMessageContaining("broker.log")
                .hasMessageContaining("node");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(60));
        assertThat(dir.resolve("broker.pid")).doesNotExist();
    }

    @Test
    void stopIsGracefulAndAStartInTheSameDirectoryKillsALeftoverBroker() throws Exception {
        KafkaBrokerProcess leftover = KafkaBrokerProcess.start(dir);
        long leftoverPid = leftover.pid();

        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir)) {
            assertThat(ProcessHandle.of(leftoverPid)).isEmpty();
            assertThat(leftover.isRunning()).isFalse();
            assertThat(Files.readString(dir.resolve("broker.pid")).strip()).isEqualTo(Long.toString(broker.pid()));

            broker.stop();

            assertThat(broker.isRunning()).isFalse();
            assertThat(Files.readString(dir.resolve("broker.log"))).contains("shut down completed");
        }
    }
}
