package io.fleetsaga.infra;

import io.fleetsaga.infra.InfraSettings.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One entry point for "a real MySQL-compatible database and a real Kafka broker", for tests and the
 * local launcher.
 *
 * <p>Resolution, first match wins:
 *
 * <ol>
 *   <li><b>external</b> — when both {@code FLEET_SAGA_JDBC_URL} (a server URL without a database,
 *       e.g. {@code jdbc:mysql://host:3306/}) and {@code FLEET_SAGA_KAFKA_BOOTSTRAP} are set;
 *       credentials from {@code FLEET_SAGA_DB_USER} (default {@code root}) and {@code
 *       FLEET_SAGA_DB_PASSWORD} (default empty). If only one of the two is set, it is ignored with a
 *       warning.
 *   <li><b>testcontainers</b> — when a Docker engine answers ({@code DockerClientFactory}, probed with
 *       a 10 s cap): {@code mysql:8.4} and {@code apache/kafka:4.3.1}.
 *   <li><b>embedded</b> — MariaDB 11.4 ({@link EmbeddedMariaDb}) and a Kafka KRaft broker in its own
 *       JVM ({@link KafkaBrokerProcess}), started in parallel (≈5–8 s; the first run on a machine also
 *       unpacks MariaDB's binaries, ≈3 s), on free ports, under {@code
 *       ${java.io.tmpdir}/fleet-saga-infra-<random>} (deleted on exit, or by the next JVM if this one
 *       was killed) or under the directory named by {@code fleetsaga.infra.dir} / {@code
 *       FLEET_SAGA_INFRA_DIR} (kept).
 * </ol>
 *
 * <p>The system property {@code fleetsaga.infra} or the environment variable {@code FLEET_SAGA_INFRA}
 * ({@code external|testcontainers|embedded}) forces a choice. Every {@code FLEET_SAGA_*} variable may
 * also be given as a system property of the same name.
 *
 * <p>Started lazily and only once per JVM ({@link #get()} is thread-safe; a failed start is
 * remembered and rethrown). Everything is stopped by a shutdown hook; embedded servers also die with
 * the JVM when it is killed with {@code kill -9} (see {@link KafkaBrokerProcess} and {@link
 * EmbeddedMariaDb}), so parallel and aborted builds leave no processes behind.
 */
public final class RealInfrastructure {

    private static final Logger log = LoggerFactory.getLogger(RealInfrastructure.class);
    private static final Duration DOCKER_PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final String TEMP_PREFIX = "fleet-saga-infra-";
    private static final String OWNER_FILE = "owner.pid";

    private static RealInfrastructure instance;
    private static RuntimeException failure;

    private final String source;
    private final DatabaseServer database;
    private final KafkaEndpoint kafka;
    private final KafkaBrokerProcess brokerProcess;

    private RealInfrastructure(
            String source, DatabaseServer database, KafkaEndpoint kafka, KafkaBrokerProcess brokerProcess) {
        this.source = source;
        this.database = database;
        this.kafka = kafka;
        this.brokerProcess = brokerProcess;
    }

    /**
     * The infrastructure of this JVM, started on the first call (which blocks until the database
     * accepts connections and the broker is ready).
     *
     * @throws IllegalStateException if it cannot be started (again on every later call)
     */
    public static synchronized RealInfrastructure get() {
        if (instance != null) {
            return instance;
        }
        if (failure != null) {
            throw new IllegalStateException("Real infrastructure failed to start earlier in this JVM", failure);
        }
        try {
            instance = start(InfraSettings.fromEnvironment());
            return instance;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    /** The database server. */
    public DatabaseServer database() {
        return database;
    }

    /** The Kafka broker. */
    public KafkaEndpoint kafka() {
        return kafka;
    }

    /** {@code "external"}, {@code "testcontainers"} or {@code "embedded"}. */
    public String source() {
        return source;
    }

    /**
     * The shared broker process in embedded mode, for fault injection. Killing it affects every test
     * in this JVM; tests that crash brokers should rather start their own {@link KafkaBrokerProcess}.
     */
    public Optional<KafkaBrokerProcess> brokerProcess() {
        return Optional.ofNullable(brokerProcess);
    }

    /**
     * Spring Boot properties for a service using {@code schema} (created if missing): {@code
     * spring.datasource.url}, {@code spring.datasource.username}, {@code spring.datasource.password},
     * {@code spring.kafka.bootstrap-servers}, the {@link #hibernateProperties()} of the database and the
     * {@link #SINGLE_BROKER_TOPICS} settings.
     */
    public Map<String, String> springProperties(String schema) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", database.jdbcUrl(schema));
        properties.put("spring.datasource.username", database.username());
        properties.put("spring.datasource.password", database.password());
        properties.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        properties.putAll(hibernateProperties());
        properties.putAll(SINGLE_BROKER_TOPICS);
        return properties;
    }

    /**
     * The services' topics on this infrastructure: one copy of each partition, {@code min.insync.replicas} 1 — the
     * embedded broker is a single broker (the services' defaults, 3 and 2, are for a production cluster). Given to
     * Spring Boot tests ({@link SpringInfrastructure}) and to the service processes of {@link FleetStack}.
     */
    public static final Map<String, String> SINGLE_BROKER_TOPICS =
            Map.of("fleetsaga.kafka.topics.replication-factor", "1", "fleetsaga.kafka.topics.min-insync-replicas", "1");

    /** Spring property names {@link #hibernateProperties()} may set. */
    static final List<String> HIBERNATE_PROPERTY_NAMES = List.of(
            "spring.jpa.database-platform",
            "spring.jpa.properties.hibernate.boot.allow_jdbc_metadata_access",
            "spring.jpa.properties.jakarta.persistence.database-product-name",
            "spring.jpa.properties.jakarta.persistence.database-major-version",
            "spring.jpa.properties.jakarta.persistence.database-minor-version");

    private static final Pattern MARIADB_VERSION = Pattern.compile("(?:5\\.5\\.5-)?(\\d+)\\.(\\d+)");

    private volatile Map<String, String> hibernateProperties;

    /**
     * Hibernate settings the database needs, empty for MySQL. MariaDB 11 reports itself to
     * mysql-connector-j as "MySQL 11.4"; Hibernate then picks the MySQL 8 code path and fails reading the
     * JDBC metadata (Connector/J queries {@code INFORMATION_SCHEMA.KEYWORDS.RESERVED}, which MariaDB does
     * not have). For MariaDB the dialect <em>and its real version</em> are therefore given explicitly
     * (a MariaDBDialect without the version would silently drop SKIP LOCKED, see TESTING.md).
     */
    public Map<String, String> hibernateProperties() {
        Map<String, String> known = hibernateProperties;
        if (known != null) {
            return known;
        }
        Map<String, String> properties = hibernatePropertiesFor(database.serverVersion());
        hibernateProperties = Map.copyOf(properties);
        return hibernateProperties;
    }

    /** The Hibernate settings for a server reporting {@code version} (see {@link #hibernateProperties()}). */
    public static Map<String, String> hibernatePropertiesFor(String version) {
        Map<String, String> properties = new LinkedHashMap<>();
        if (version.contains("MariaDB")) {
            Matcher m = MARIADB_VERSION.matcher(version);
            if (!m.find()) {
                throw new IllegalStateException("Cannot parse the MariaDB version " + version);
            }
            properties.put(HIBERNATE_PROPERTY_NAMES.get(0), "org.hibernate.dialect.MariaDBDialect");
            properties.put(HIBERNATE_PROPERTY_NAMES.get(1), "false");
            properties.put(HIBERNATE_PROPERTY_NAMES.get(2), "MariaDB");
            properties.put(HIBERNATE_PROPERTY_NAMES.get(3), m.group(1));
            properties.put(HIBERNATE_PROPERTY_NAMES.get(4), m.group(2));
        }
        return properties;
    }

    @Override
    public String toString() {
        return "RealInfrastructure[" + source + ", database " + database + ", kafka " + kafka.bootstrapServers() + "]";
    }

    static RealInfrastructure start(InfraSettings settings) {
        Mode mode = settings.forced().orElseGet(() -> detect(settings));
        log.info("Using {} infrastructure{}", mode.id(), settings.forced().isPresent() ? " (forced)" : "");
        return switch (mode) {
            case EXTERNAL -> external(settings);
            case TESTCONTAINERS -> testcontainers();
            case EMBEDDED -> embedded(settings);
        };
    }

    private static Mode detect(InfraSettings settings) {
        if (settings.externalConfigured()) {
            return Mode.EXTERNAL;
        }
        if (settings.externalHalfConfigured()) {
            log.warn(
                    "Ignoring external infrastructure: set both {} and {} (only one is set)",
                    InfraSettings.JDBC_URL_ENV,
                    InfraSettings.KAFKA_BOOTSTRAP_ENV);
        }
        return TestcontainersInfrastructure.dockerAvailable(DOCKER_PROBE_TIMEOUT) ? Mode.TESTCONTAINERS : Mode.EMBEDDED;
    }

    private static RealInfrastructure external(InfraSettings settings) {
        if (!settings.externalConfigured()) {
            throw new IllegalStateException("External infrastructure needs both " + InfraSettings.JDBC_URL_ENV + " and "
                    + InfraSettings.KAFKA_BOOTSTRAP_ENV);
        }
        DatabaseServer database = new JdbcDatabaseServer(
                settings.jdbcUrl().orElseThrow(),
                "allowPublicKeyRetrieval=true",
                settings.dbUser(),
                settings.dbPassword());
        return new RealInfrastructure(
                Mode.EXTERNAL.id(),
                database,
                new StaticKafkaEndpoint(settings.kafkaBootstrap().orElseThrow()),
                null);
    }

    private static RealInfrastructure testcontainers() {
        TestcontainersInfrastructure containers = TestcontainersInfrastructure.start();
        Runtime.getRuntime().addShutdownHook(new Thread(containers::close, "fleet-saga-testcontainers-stop"));
        return new RealInfrastructure(
                Mode.TESTCONTAINERS.id(),
                containers.database(),
                new StaticKafkaEndpoint(containers.kafka().bootstrapServers()),
                null);
    }

    private static RealInfrastructure embedded(InfraSettings settings) {
        boolean temporary = settings.dir().isEmpty();
        Path root = settings.dir().map(Path::toAbsolutePath).orElseGet(RealInfrastructure::temporaryRoot);
        long started = System.nanoTime();
        // own threads: the common pool may have a single worker on small machines
        ExecutorService starters = Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "fleet-saga-infra-start");
            thread.setDaemon(true);
            return thread;
        });
        CompletableFuture<EmbeddedMariaDb> mariaDb =
                CompletableFuture.supplyAsync(() -> EmbeddedMariaDb.start(root.resolve("mariadb")), starters);
        CompletableFuture<KafkaBrokerProcess> broker =
                CompletableFuture.supplyAsync(() -> KafkaBrokerProcess.start(root.resolve("kafka")), starters);
        starters.shutdown();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> stopEmbedded(mariaDb, broker, temporary ? root : null), "fleet-saga-infra-stop"));
        try {
            RealInfrastructure infrastructure =
                    new RealInfrastructure(Mode.EMBEDDED.id(), mariaDb.join(), broker.join(), broker.join());
            log.info(
                    "Embedded infrastructure ready in {} ms: {}",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    infrastructure);
            return infrastructure;
        } catch (CompletionException e) {
            // make sure the half that did start does not linger until JVM exit
            stopEmbedded(mariaDb, broker, null);
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** A fresh directory in {@code java.io.tmpdir}, after removing those of JVMs that are gone. */
    private static Path temporaryRoot() {
        deleteAbandonedRoots(Path.of(System.getProperty("java.io.tmpdir")));
        try {
            Path root = Files.createTempDirectory(TEMP_PREFIX);
            ProcessHandle self = ProcessHandle.current();
            Files.writeString(
                    root.resolve(OWNER_FILE),
                    self.pid() + " "
                            + self.info().startInstant().map(Object::toString).orElse("?"));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory", e);
        }
    }

    /**
     * Removes {@code fleet-saga-infra-*} directories whose owning JVM died without running its shutdown
     * hooks, killing servers still recorded there (normally their watchdogs did that already).
     */
    static void deleteAbandonedRoots(Path tmp) {
        try (Stream<Path> entries = Files.list(tmp)) {
            entries.filter(entry -> entry.getFileName().toString().startsWith(TEMP_PREFIX))
                    .filter(entry -> Files.isRegularFile(entry.resolve(OWNER_FILE)))
                    .filter(entry -> !ownerAlive(entry.resolve(OWNER_FILE)))
                    .forEach(entry -> {
                        log.info("Removing {} left behind by a JVM that is gone", entry);
                        Processes.killOrphan(
                                entry.resolve("kafka").resolve("broker.pid"), entry.toString(), "Kafka broker");
                        Processes.killOrphan(
                                entry.resolve("mariadb").resolve("mariadbd.pid"), entry.toString(), "MariaDB");
                        Processes.deleteRecursively(entry);
                    });
        } catch (IOException | RuntimeException e) {
            log.debug("Could not clean up abandoned directories in {}", tmp, e);
        }
    }

    private static boolean ownerAlive(Path ownerFile) {
        try {
            String[] owner = Files.readString(ownerFile).strip().split(" ");
            Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(owner[0]));
            if (process.isEmpty() || !process.get().isAlive()) {
                return false;
            }
            // same pid but started at another time: the pid was recycled, the owner is gone
            Optional<Instant> started = process.get().info().startInstant();
            if (owner.length < 2 || "?".equals(owner[1]) || started.isEmpty()) {
                return true;
            }
            return Duration.between(Instant.parse(owner[1]), started.get())
                            .abs()
                            .getSeconds()
                    < 2;
        } catch (IOException | RuntimeException e) {
            return true; // unreadable or half-written: leave it alone
        }
    }

    private static void stopEmbedded(
            CompletableFuture<EmbeddedMariaDb> mariaDb, CompletableFuture<KafkaBrokerProcess> broker, Path delete) {
        broker.thenAccept(KafkaBrokerProcess::kill).exceptionally(e -> null);
        mariaDb.thenAccept(EmbeddedMariaDb::close).exceptionally(e -> null);
        if (delete != null) {
            Processes.deleteRecursively(delete);
        }
    }
}
