package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RealInfrastructureIT {

    private static RealInfrastructure infrastructure;

    @BeforeAll
    static void start() {
        infrastructure = RealInfrastructure.get();
    }

    @Test
    void isStartedOncePerJvm() {
        assertThat(RealInfrastructure.get()).isSameAs(infrastructure);
    }

    @Test
    void resolvesToEmbeddedServersWithoutDockerOrExternalSettings() {
        InfraSettings settings = InfraSettings.fromEnvironment();
        assumeTrue(settings.forced().isEmpty() && !settings.externalConfigured());
        assumeTrue(!TestcontainersInfrastructure.dockerAvailable(Duration.ofSeconds(10)), "Docker is available");

        assertThat(infrastructure.source()).isEqualTo("embedded");
        assertThat(infrastructure.brokerProcess()).hasValueSatisfying(broker -> {
            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.bootstrapServers())
                    .isEqualTo(infrastructure.kafka().bootstrapServers());
        });
    }

    @Test
    void createsSchemasUsableWithConnectorJ() throws SQLException {
        String schema = uniqueSchema();
        DatabaseServer database = infrastructure.database();
        String url = database.jdbcUrl(schema);

        assertThat(url).startsWith("jdbc:mysql://").contains("/" + schema);
        assertThat(infrastructure.springProperties(schema))
                .containsEntry("spring.datasource.url", url)
                .containsEntry("spring.datasource.username", database.username())
                .containsEntry("spring.datasource.password", database.password())
                .containsEntry(
                        "spring.kafka.bootstrap-servers", infrastructure.kafka().bootstrapServers());
        try (Connection connection = connect(url);
                Statement statement = connection.createStatement()) {
            assertThat(connection.getMetaData().getDriverName()).contains("MySQL Connector/J");
            statement.execute("CREATE TABLE greeting (id BIGINT PRIMARY KEY, text VARCHAR(100) NOT NULL)");
            statement.execute("INSERT INTO greeting VALUES (1, 'hello, wörld ✓')");
            try (ResultSet rows = statement.executeQuery("SELECT text, DATABASE() FROM greeting")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("hello, wörld ✓");
                assertThat(rows.getString(2)).isEqualTo(schema);
            }
        }

        database.dropDatabase(schema);

        assertThatThrownBy(() -> connect(url).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Unknown database");
    }

    @Test
    void springRegistrationResolvesToTheSameInfrastructure() {
        String schema = uniqueSchema();
        Map<String, Supplier<Object>> registered = new LinkedHashMap<>();

        SpringInfrastructure.register(registered::put, schema);

        Map<String, String> resolved = new LinkedHashMap<>();
        registered.forEach((name, value) -> {
            Object resolvedValue = value.get();
            if (resolvedValue != null) {
                resolved.put(name, String.valueOf(resolvedValue));
            }
        });
        assertThat(resolved).isEqualTo(infrastructure.springProperties(schema));
    }

    @Test
    void tellsHibernateTheRealMariaDbVersionButNothingForMySql() {
        String version = infrastructure.database().serverVersion();
        Map<String, String> hibernate = infrastructure.hibernateProperties();

        if (version.contains("MariaDB")) {
            assertThat(hibernate)
                    .containsEntry("spring.jpa.database-platform", "org.hibernate.dialect.MariaDBDialect")
                    .containsEntry(
                            "spring.jpa.properties.jakarta.persistence.database-major-version",
                            version.split("\\.")[0].replace("5.5.5-", ""));
        } else {
            assertThat(hibernate).isEmpty();
        }
    }

    @Test
    void embeddedDatabaseChecksPasswords() {
        assumeTrue(infrastructure.source().equals("embedded"));
        String url = infrastructure.database().jdbcUrl(uniqueSchema());

        assertThat(infrastructure.database().password()).isNotEmpty();
        assertThatThrownBy(() -> DriverManager.getConnection(
                                url, infrastructure.database().username(), "wrong")
                        .close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Access denied");
        assertThatThrownBy(() -> DriverManager.getConnection(url, "root", "").close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Access denied");
    }

    @Test
    void secondClaimerSkipsRowsLockedByTheFirst() throws SQLException {
        String url = infrastructure.database().jdbcUrl(uniqueSchema());
        try (Connection setup = connect(url);
                Statement statement = setup.createStatement()) {
            statement.execute("CREATE TABLE job (id BIGINT PRIMARY KEY, state VARCHAR(20) NOT NULL) ENGINE=InnoDB");
            statement.execute("INSERT INTO job VALUES (1, 'NEW'), (2, 'NEW'), (3, 'NEW')");
        }
        String claim = "SELECT id FROM job WHERE state = 'NEW' ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED";
        try (Connection first = connect(url);
                Connection second = connect(url)) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            try (Statement s = second.createStatement()) {
                // a SKIP LOCKED that silently degrades to FOR UPDATE fails in 1 s instead of hanging
                s.execute("SET SESSION innodb_lock_wait_timeout = 1");
            }

            assertThat(ids(first, claim)).containsExactly(1L, 2L);
            assertThat(ids(second, claim)).containsExactly(3L);
            assertThatThrownBy(() -> ids(second, "SELECT id FROM job WHERE id = 1 FOR UPDATE"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Lock wait timeout");

            first.commit();

            assertThat(ids(second, "SELECT id FROM job WHERE id IN (1, 2) FOR UPDATE SKIP LOCKED"))
                    .containsExactly(1L, 2L);
            second.rollback();
        }
    }

    @Test
    void producesAndConsumesThroughTheBroker() throws Exception {
        String bootstrap = infrastructure.kafka().bootstrapServers();
        String topic = KafkaTestClients.uniqueTopic("real-infra");
        try (KafkaProducer<String, String> producer = KafkaTestClients.producer(bootstrap)) {
            producer.send(new ProducerRecord<>(topic, "order-1", "created")).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(topic, "order-1", "paid")).get(30, TimeUnit.SECONDS);
        }

        assertThat(KafkaTestClients.consumeValues(bootstrap, topic, 2)).containsExactly("created", "paid");
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(
                url,
                infrastructure.database().username(),
                infrastructure.database().password());
    }

    private static List<Long> ids(Connection connection, String sql) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }

    private static String uniqueSchema() {
        return "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
