package io.fleetsaga.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system on 127.0.0.1 as separate processes: an embedded MariaDB, a Kafka broker, and order-service
 * and assignment-service from their executable jars (one or more instances each) — the stack the local launcher
 * runs and the fault harness attacks. Every piece can be crashed, frozen and restarted on its own with its data:
 *
 * <ul>
 *   <li>the database and the broker sit behind a {@link TcpProxy} each (unless {@link Options#proxies} is off),
 *       so that the network between them and the services can be delayed, cut or black-holed, and so that a
 *       database restarted on another port keeps its address ({@link #restartDatabase});
 *   <li>services are {@link ServiceProcess}es ({@code kill -9}, {@code SIGSTOP}, relaunch with the same port and
 *       settings).
 * </ul>
 *
 * <p>Data lives under {@link Options#home} ({@code mariadb/}, {@code kafka/}, {@code logs/}) and is reused by the
 * next start; it must not lie under {@code java.io.tmpdir} (MariaDB wipes data there on start). Schemas: {@code
 * orders} and {@code assignments}. {@link #close()} stops everything, services first.
 */
public final class FleetStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FleetStack.class);

    public static final String ORDER_SERVICE = "order-service";
    public static final String ASSIGNMENT_SERVICE = "assignment-service";
    public static final String ORDERS_SCHEMA = "orders";
    public static final String ASSIGNMENTS_SCHEMA = "assignments";

    /**
     * How to start the stack.
     *
     * @param home data and logs
     * @param orderServiceJar the executable jar of order-service
     * @param assignmentServiceJar the executable jar of assignment-service
     * @param orderPorts one port per order-service instance (0: a free one)
     * @param assignmentPorts one port per assignment-service instance (0: a free one)
     * @param shared Spring properties for both services (users, outbox settings, …)
     * @param orderOnly Spring properties for order-service only (on top of {@code shared})
     * @param assignmentOnly Spring properties for assignment-service only
     * @param jvmOptions JVM options of every service process
     * @param proxies whether the database and the broker are reached through {@link TcpProxy}s
     * @param readyTimeout how long a service may take to become ready
     */
    public record Options(
            Path home,
            Path orderServiceJar,
            Path assignmentServiceJar,
            List<Integer> orderPorts,
            List<Integer> assignmentPorts,
            Map<String, String> shared,
            Map<String, String> orderOnly,
            Map<String, String> assignmentOnly,
            List<String> jvmOptions,
            boolean proxies,
            Duration readyTimeout) {

        public Options {
            Objects.requireNonNull(home, "home");
            Objects.requireNonNull(orderServiceJar, "orderServiceJar");
            Objects.requireNonNull(assignmentServiceJar, "assignmentServiceJar");
            if (orderPorts.isEmpty() || assignmentPorts.isEmpty()) {
                throw new IllegalArgumentException("at least one instance of each service");
            }
            orderPorts = List.copyOf(orderPorts);
            assignmentPorts = List.copyOf(assignmentPorts);
            shared = Map.copyOf(shared);
            orderOnly = Map.copyOf(orderOnly);
            assignmentOnly = Map.copyOf(assignmentOnly);
            jvmOptions = List.copyOf(jvmOptions);
        }

        /**
         * One instance of each service on free ports, jars from the system properties {@code
         * fleetsaga.order-service.jar} and {@code fleetsaga.assignment-service.jar}, proxies on.
         */
        public static Options defaults(Path home) {
            return new Options(
                    home,
                    jarProperty(ORDER_SERVICE),
                    jarProperty(ASSIGNMENT_SERVICE),
                    List.of(0),
                    List.of(0),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m"),
                    true,
                    Duration.ofMinutes(3));
        }

        public Options withInstances(int orderInstances, int assignmentInstances) {
            return withPorts(zeros(orderInstances), zeros(assignmentInstances));
        }

        public Options withPorts(List<Integer> orderPorts, List<Integer> assignmentPorts) {
            return new Options(
                    home,
                    orderServiceJar,
                    assignmentServiceJar,
                    orderPorts,
                    assignmentPorts,
                    shared,
                    orderOnly,
                    assignmentOnly,
                    jvmOptions,
                    proxies,
                    readyTimeout);
        }

        public Options withProperties(
                Map<String, String> shared, Map<String, String> orderOnly, Map<String, String> assignmentOnly) {
            return new Options(
                    home,
                    orderServiceJar,
                    assignmentServiceJar,
                    orderPorts,
                    assignmentPorts,
                    shared,
                    orderOnly,
                    assignmentOnly,
                    jvmOptions,
                    proxies,
                    readyTimeout);
        }

        public Options withJvmOptions(List<String> jvmOptions) {
            return new Options(
                    home,
                    orderServiceJar,
                    assignmentServiceJar,
                    orderPorts,
                    assignmentPorts,
                    shared,
                    orderOnly,
                    assignmentOnly,
                    jvmOptions,
                    proxies,
                    readyTimeout);
        }

        public Options withProxies(boolean proxies) {
            return new Options(
                    home,
                    orderServiceJar,
                    assignmentServiceJar,
                    orderPorts,
                    assignmentPorts,
                    shared,
                    orderOnly,
                    assignmentOnly,
                    jvmOptions,
                    proxies,
                    readyTimeout);
        }

        private static List<Integer> zeros(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("at least one instance, not " + n);
            }
            return java.util.Collections.nCopies(n, 0);
        }

        private static Path jarProperty(String service) {
            String jar = System.getProperty("fleetsaga." + service + ".jar");
            if (jar == null) {
                throw new IllegalStateException("the jar of " + service + " is unknown: set the system property "
                        + "fleetsaga." + service + ".jar (the Maven builds of the launcher, the system tests and "
                        + "the fault harness do)");
            }
            return Path.of(jar);
        }
    }

    private final Options options;
    private volatile EmbeddedMariaDb database;
    private final KafkaBrokerProcess broker;
    private final TcpProxy databaseProxy;
    private final TcpProxy brokerProxy;
    private final List<ServiceProcess> orderServices;
    private final List<ServiceProcess> assignmentServices;

    private FleetStack(
            Options options,
            EmbeddedMariaDb database,
            KafkaBrokerProcess broker,
            TcpProxy databaseProxy,
            TcpProxy brokerProxy,
            List<ServiceProcess> orderServices,
            List<ServiceProcess> assignmentServices) {
        this.options = options;
        this.database = database;
        this.broker = broker;
        this.databaseProxy = databaseProxy;
        this.brokerProxy = brokerProxy;
        this.orderServices = List.copyOf(orderServices);
        this.assignmentServices = List.copyOf(assignmentServices);
    }

    /**
     * Starts the database and the broker (in parallel), then every service instance (in parallel), and returns
     * when all are ready. Whatever started is stopped again if a piece fails.
     */
    public static FleetStack start(Options options) {
        Path home = options.home().toAbsolutePath().normalize();
        List<AutoCloseable> started = new ArrayList<>();
        try {
            TcpProxy databaseProxy = options.proxies() ? TcpProxy.start("127.0.0.1", 0) : null;
            TcpProxy brokerProxy = options.proxies() ? TcpProxy.start("127.0.0.1", 0) : null;
            if (databaseProxy != null) {
                started.add(databaseProxy);
                started.add(brokerProxy);
            }
            CompletableFuture<EmbeddedMariaDb> db =
                    CompletableFuture.supplyAsync(() -> EmbeddedMariaDb.start(home.resolve("mariadb")));
            CompletableFuture<KafkaBrokerProcess> kafka = CompletableFuture.supplyAsync(() -> brokerProxy == null
                    ? KafkaBrokerProcess.start(home.resolve("kafka"))
                    : KafkaBrokerProcess.startBehindProxy(home.resolve("kafka"), brokerProxy.port()));
            EmbeddedMariaDb database = join(db, started);
            KafkaBrokerProcess broker = join(kafka, started);
            if (databaseProxy != null) {
                databaseProxy.retarget(database.port());
                brokerProxy.retarget(broker.clientListenerPort());
            }
            int databasePort = databaseProxy == null ? database.port() : databaseProxy.port();
            Map<String, String> base =
                    new HashMap<>(RealInfrastructure.hibernatePropertiesFor(database.serverVersion()));
            base.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
            base.put("spring.datasource.username", database.username());
            base.put("spring.datasource.password", database.password());
            base.putAll(options.shared());
            Path logs = home.resolve("logs");
            List<Integer> assignmentPorts = resolve(options.assignmentPorts());
            List<Integer> orderPorts = resolve(options.orderPorts());
            Map<String, String> order = new LinkedHashMap<>(base);
            order.put("spring.datasource.url", url(database, ORDERS_SCHEMA, databasePort));
            order.put("fleetsaga.reconciliation.assignment-service.url", "http://127.0.0.1:" + assignmentPorts.get(0));
            order.putAll(options.orderOnly());
            Map<String, String> assignment = new LinkedHashMap<>(base);
            assignment.put("spring.datasource.url", url(database, ASSIGNMENTS_SCHEMA, databasePort));
            assignment.putAll(options.assignmentOnly());
            List<CompletableFuture<ServiceProcess>> orders = new ArrayList<>();
            List<CompletableFuture<ServiceProcess>> assignments = new ArrayList<>();
            for (int port : orderPorts) {
                orders.add(launch(ORDER_SERVICE, options.orderServiceJar(), port, order, options, logs, started));
            }
            for (int port : assignmentPorts) {
                assignments.add(launch(
                        ASSIGNMENT_SERVICE, options.assignmentServiceJar(), port, assignment, options, logs, started));
            }
            List<ServiceProcess> orderServices = new ArrayList<>();
            for (CompletableFuture<ServiceProcess> f : orders) {
                orderServices.add(join(f, started));
            }
            List<ServiceProcess> assignmentServices = new ArrayList<>();
            for (CompletableFuture<ServiceProcess> f : assignments) {
                assignmentServices.add(join(f, started));
            }
            return new FleetStack(
                    options, database, broker, databaseProxy, brokerProxy, orderServices, assignmentServices);
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    private static CompletableFuture<ServiceProcess> launch(
            String name,
            Path jar,
            int port,
            Map<String, String> properties,
            Options options,
            Path logs,
            List<AutoCloseable> started) {
        ServiceProcess service = ServiceProcess.start(name, jar, port, properties, options.jvmOptions(), logs);
        synchronized (started) {
            started.add(service);
        }
        return CompletableFuture.supplyAsync(() -> service.awaitReady(options.readyTimeout()));
    }

    private static <T> T join(CompletableFuture<T> future, List<AutoCloseable> started) {
        try {
            T value = future.join();
            if (value instanceof AutoCloseable closeable) {
                synchronized (started) {
                    if (!started.contains(closeable)) {
                        started.add(closeable);
                    }
                }
            }
            return value;
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private static List<Integer> resolve(List<Integer> ports) {
        return ports.stream().map(p -> p == 0 ? Processes.freePort() : p).toList();
    }

    private static String url(EmbeddedMariaDb database, String schema, int port) {
        String direct = database.jdbcUrl(schema); // creates the schema
        return direct.replace("127.0.0.1:" + database.port() + "/", "127.0.0.1:" + port + "/");
    }

    public Options options() {
        return options;
    }

    /** The database server as it runs now (another object after {@link #restartDatabase}). */
    public EmbeddedMariaDb database() {
        return database;
    }

    /** A JDBC URL of {@code schema} that bypasses the proxy (for the harness's own reads). */
    public String directJdbcUrl(String schema) {
        return database.jdbcUrl(schema);
    }

    public KafkaBrokerProcess broker() {
        return broker;
    }

    /** The broker's own address, bypassing the proxy (for the harness's own reads). */
    public String directBootstrapServers() {
        return broker.directBootstrapServers();
    }

    /** The proxy between the services and the database; empty when {@link Options#proxies} is off. */
    public java.util.Optional<TcpProxy> databaseProxy() {
        return java.util.Optional.ofNullable(databaseProxy);
    }

    /** The proxy between the services and the broker; empty when {@link Options#proxies} is off. */
    public java.util.Optional<TcpProxy> brokerProxy() {
        return java.util.Optional.ofNullable(brokerProxy);
    }

    public List<ServiceProcess> orderServices() {
        return orderServices;
    }

    public List<ServiceProcess> assignmentServices() {
        return assignmentServices;
    }

    /** Every service process, order-service first. */
    public List<ServiceProcess> services() {
        List<ServiceProcess> all = new ArrayList<>(orderServices);
        all.addAll(assignmentServices);
        return all;
    }

    /**
     * Stops the database ({@code kill -9} when {@code crash}, else a clean shutdown) and starts it again on its
     * data; the proxy then forwards new connections to its new port. Needs {@link Options#proxies}. Services see
     * their connections fail and reconnect through the proxy.
     */
    public synchronized void restartDatabase(boolean crash) {
        if (databaseProxy == null) {
            throw new IllegalStateException("restarting the database needs the proxies (its port changes)");
        }
        if (crash) {
            database.kill();
        } else {
            database.close();
        }
        database = EmbeddedMariaDb.start(
                options.home().toAbsolutePath().normalize().resolve("mariadb"));
        databaseProxy.retarget(database.port());
        log.info("database restarted on 127.0.0.1:{} behind the proxy :{}", database.port(), databaseProxy.port());
    }

    /** Stops services (gracefully, in parallel), then the broker, the database and the proxies. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stops = services().stream()
                .map(s -> CompletableFuture.runAsync(s::close))
                .toList();
        stops.forEach(CompletableFuture::join);
        List<AutoCloseable> rest = new ArrayList<>();
        rest.add(broker);
        rest.add(database);
        if (databaseProxy != null) {
            rest.add(databaseProxy);
            rest.add(brokerProxy);
        }
        closeAll(rest);
    }

    private static void closeAll(List<AutoCloseable> closeables) {
        List<AutoCloseable> copy;
        synchronized (closeables) {
            copy = new ArrayList<>(closeables);
        }
        java.util.Collections.reverse(copy);
        for (AutoCloseable c : copy) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("could not stop {}: {}", c, e.toString());
            }
        }
    }
}
