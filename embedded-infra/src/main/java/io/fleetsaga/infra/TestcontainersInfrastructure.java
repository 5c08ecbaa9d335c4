package io.fleetsaga.infra;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.mysql.MySQLContainer;
import org.testcontainers.utility.DockerImageName;

/** MySQL 8.4 and Kafka 4.3 (KRaft) containers; only touched when Docker is available or forced. */
final class TestcontainersInfrastructure implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TestcontainersInfrastructure.class);

    static final String MYSQL_IMAGE = "mysql:8.4";
    static final String KAFKA_IMAGE = "apache/kafka:4.3.1";
    private static final String ROOT_PASSWORD = "fleetsaga";

    private final MySQLContainer mysql;
    private final KafkaContainer kafka;
    private final JdbcDatabaseServer database;

    private TestcontainersInfrastructure(MySQLContainer mysql, KafkaContainer kafka) {
        this.mysql = mysql;
        this.kafka = kafka;
        this.database = new JdbcDatabaseServer(
                "jdbc:mysql://" + mysql.getHost() + ":" + mysql.getMappedPort(MySQLContainer.MYSQL_PORT) + "/",
                EmbeddedMariaDb.URL_PARAMETERS,
                mysql.getUsername(),
                mysql.getPassword());
    }

    /**
     * Whether a Docker engine answers, decided within {@code timeout} (the probe runs on a daemon
     * thread, so a hanging Docker socket cannot block the caller).
     */
    static boolean dockerAvailable(Duration timeout) {
        FutureTask<Boolean> probe =
                new FutureTask<>(() -> DockerClientFactory.instance().isDockerAvailable());
        Thread thread = new Thread(probe, "fleet-saga-docker-probe");
        thread.setDaemon(true);
        thread.start();
        try {
            return probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.info("No answer from Docker within {}; not using Testcontainers", timeout);
            probe.cancel(true);
            return false;
        } catch (ExecutionException | RuntimeException | LinkageError e) {
            log.info("Docker probe failed ({}); not using Testcontainers", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @SuppressWarnings("resource") // closed by close()
    static TestcontainersInfrastructure start() {
        MySQLContainer mysql = new MySQLContainer(DockerImageName.parse(MYSQL_IMAGE))
                .withUsername("root")
                .withPassword(ROOT_PASSWORD);
        KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
                .withEnv("KAFKA_NUM_PARTITIONS", "3")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        Startables.deepStart(mysql, kafka).join();
        return new TestcontainersInfrastructure(mysql, kafka);
    }

    DatabaseServer database() {
        return database;
    }

    KafkaEndpoint kafka() {
        return kafka::getBootstrapServers;
    }

    @Override
    public void close() {
        kafka.stop();
        mysql.stop();
    }
}
