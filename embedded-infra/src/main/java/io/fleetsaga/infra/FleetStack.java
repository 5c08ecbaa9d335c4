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
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system on 127.0.0.1 as separate processes: order-service and assignment-service from their executable
 * jars (one or more instances each) on a MySQL-compatible database (one schema per service) and a Kafka broker —
 * the one way the local launcher, the fault harness and the system tests start the services. Two modes:
 *
 * <ul>
 *   <li><b>embedded</b> ({@link #start(Options)}): the stack owns an embedded MariaDB and a Kafka broker, started
 *       for it and stopped by {@link #close()}. Every piece can be crashed, frozen and restarted on its own with
 *       its data: the database and the broker sit behind a {@link TcpProxy} each (unless {@link Options#proxies}
 *       is off), so that the network between them and the services can be delayed, cut or black-holed, and so
 *       that a database restarted on another port keeps its address ({@link #restartDatabase}). Data lives under
 *       {@link Options#home} ({@code mariadb/}, {@code kafka/}, {@code logs/}) and is reused by the next start;
 *       it must not lie under {@code java.io.tmpdir} (MariaDB wipes data there on start). Schemas: {@value
 *       #ORDERS_SCHEMA} and {@value #ASSIGNMENTS_SCHEMA}.
 *   <li><b>attached</b> ({@link #attach(AttachOptions)}): only the services, on a database server and a broker
 *       that someone else runs (e.g. {@link RealInfrastructure}: embedded, Testcontainers or external), in schemas
 *       the caller names. The stack never stops, restarts or otherwise changes that infrastructure: {@link
 *       #close()} stops the services and nothing else, the schemas stay. What needs infrastructure the stack owns
 *       — {@link #database()}, {@link #broker()}, {@link #restartDatabase}, {@link #options()} — throws {@link
 *       IllegalStateException}; the proxies are empty.
 * </ul>
 *
 * <p>In both modes: services are {@link ServiceProcess}es ({@code kill -9}, {@code SIGSTOP}, relaunch with the same
 * port and settings); order-service's reconciliation reads the first assignment-service instance; the methods
 * return once every service instance answers its readiness probe, and whatever they started is stopped again if a
 * piece fails.
 */
public final class FleetStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FleetStack.class);

    public static final String ORDER_SERVICE = "order-service";
    public static final String ASSIGNMENT_SERVICE = "assignment-service";
    public static final String ORDERS_SCHEMA = "orders";
    public static final String ASSIGNMENTS_SCHEMA = "assignments";

    private static final List<String> DEFAULT_JVM_OPTIONS =
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m");
    private static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(3);
    private static final java.util.regex.Pattern SCHEMA_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_$-]+");

    /**
     * The service processes of a stack, in either mode.
     *
     * @param orderServiceJar the executable jar of order-service
     * @param assignmentServiceJar the executable jar of assignment-service
     * @param orderPorts one port per order-service instance (0: a free one)
     * @param assignmentPorts one port per assignment-service instance (0: a free one)
     * @param shared Spring properties for both services (users, outbox settings, …)
     * @param orderOnly Spring properties for order-service only (on top of {@code shared})
     * @param assignmentOnly Spring properties for assignment-service only
     * @param jvmOptions JVM options of every service process ({@code {name}} and {@code {port}} stand for the
     *     instance's, see {@link ServiceProcess})
     * @param readyTimeout how long a service may take to become ready
     * @param classDataSharing whether the services start from their extracted jars with a class data sharing archive
     *     (prepared by one training run per jar and kept beside it, see {@link ClassDataSharing}): quicker starts for
     *     stacks that restart services often, one extra start the first time
     */
    public record Services(
            Path orderServiceJar,
            Path assignmentServiceJar,
            List<Integer> orderPorts,
            List<Integer> assignmentPorts,
            Map<String, String> shared,
            Map<String, String> orderOnly,
            Map<String, String> assignmentOnly,
            List<String> jvmOptions,
            Duration readyTimeout,
            boolean classDataSharing) {

        public Services {
            Objects.requireNonNull(orderServiceJar, "orderServiceJar");
            Objects.requireNonNull(assignmentServiceJar, "assignmentServiceJar");
            Objects.requireNonNull(readyTimeout, "readyTimeout");
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
         * fleetsaga.order-service.jar} and {@code fleetsaga.assignment-service.jar}, no extra properties.
         */
        public static Services defaults() {
            return new Services(
                    jarProperty(ORDER_SERVICE),
                    jarProperty(ASSIGNMENT_SERVICE),
                    List.of(0),
                    List.of(0),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    DEFAULT_JVM_OPTIONS,
                    DEFAULT_READY_TIMEOUT,
                    false);
        }

        public Services withInstances(int orderInstances, int assignmentInstances) {
            return withPorts(zeros(orderInstances), zeros(assignmentInstances));
        }

        public Services withPorts(List<Integer> orderPorts, List<Integer> assignmentPorts) {
            return new Services(
                    orderServiceJar,
                    assignmentServiceJar,
                    orderPorts,
                    assignmentPorts,
                    shared,
                    orderOnly,
                    assignmentOnly,
                    jvmOptions,
                    readyTimeout,
                    classDataSharing);
        }

        public Services withProperties(
                Map<String, String> shared, Map<String, String> orderOnly, Map<String, String> assignmentOnly) {
            return new Services(
                    orderServiceJar,
                    assignmentServiceJar,
                    orderPorts,
                    assignmentPorts,
                    shared,
                    orderOnly,
                    assignmentOnly,
                    jvmOptions,
                    readyTimeout,
                    classDataSharing);
        }

        public Services withClassDataSharing(boolean classDataSharing) {
            return new Services(
                    orderServiceJar,
                    assignmentServiceJar,
                    orderPorts,
                    assignmentPorts,
                    shared,
                    orderOnly,
                    assignmentOnly,
                    jvmOptions,
                    readyTimeout,
                    classDataSharing);
        }

        public Services withJvmOptions(List<String> jvmOptions) {
            return new Services(
                    orderServiceJar,
                    assignmentServiceJar,
                    orderPorts,
                    assignmentPorts,
                    shared,
                    orderOnly,
                    assignmentOnly,
                    jvmOptions,
                    readyTimeout,
                    classDataSharing);
        }
    }

    /**
     * How to start the stack.
     *
     * @param home data and logs
     * @param services the service processes
     * @param proxies whether the database and the broker are reached through {@link TcpProxy}s
     */
    public record Options(Path home, Services services, boolean proxies) {

        public Options {
            Objects.requireNonNull(home, "home");
            Objects.requireNonNull(services, "services");
        }

        /** {@link Services#defaults()}, proxies on. */
        public static Options defaults(Path home) {
            return new Options(home, Services.defaults(), true);
        }

        public Options withServices(Services services) {
            return new Options(home, services, proxies);
        }

        public Options withInstances(int orderInstances, int assignmentInstances) {
            return withServices(services.withInstances(orderInstances, assignmentInstances));
        }

        public Options withPorts(List<Integer> orderPorts, List<Integer> assignmentPorts) {
            return withServices(services.withPorts(orderPorts, assignmentPorts));
        }

        public Options withProperties(
                Map<String, String> shared, Map<String, String> orderOnly, Map<String, String> assignmentOnly) {
            return withServices(services.withProperties(shared, orderOnly, assignmentOnly));
        }

        public Options withJvmOptions(List<String> jvmOptions) {
            return withServices(services.withJvmOptions(jvmOptions));
        }

        public Options withClassDataSharing(boolean classDataSharing) {
            return withServices(services.withClassDataSharing(classDataSharing));
        }

        public Options withProxies(boolean proxies) {
            return new Options(home, services, proxies);
        }
    }

    /**
     * How to start the services on infrastructure someone else runs ({@link #attach}).
     *
     * @param database the database server; the stack creates the two schemas in it if they are missing
     * @param broker the Kafka broker
     * @param ordersSchema order-service's schema
     * @param assignmentsSchema assignment-service's schema
     * @param jdbcUrl applied to each service's JDBC URL before it is handed over (e.g. to route it through the
     *     caller's own {@link TcpProxy}); {@link #directJdbcUrl} and {@link DatabaseServer#jdbcUrl} bypass it
     * @param logs directory of the services' log files
     * @param services the service processes
     */
    public record AttachOptions(
            DatabaseServer database,
            KafkaEndpoint broker,
            String ordersSchema,
            String assignmentsSchema,
            UnaryOperator<String> jdbcUrl,
            Path logs,
            Services services) {

        public AttachOptions {
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(broker, "broker");
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            Objects.requireNonNull(logs, "logs");
            Objects.requireNonNull(services, "services");
            for (String schema : new String[] {ordersSchema, assignmentsSchema}) {
                if (schema == null || !SCHEMA_NAME.matcher(schema).matches()) {
                    throw new IllegalArgumentException("not a schema name: " + schema);
                }
            }
            if (ordersSchema.equalsIgnoreCase(assignmentsSchema)) {
                throw new IllegalArgumentException("each service needs its own schema, not both " + ordersSchema);
            }
        }

        /**
         * {@link Services#defaults()} in the schemas {@value #ORDERS_SCHEMA} and {@value #ASSIGNMENTS_SCHEMA}, JDBC
         * URLs unchanged.
         */
        public static AttachOptions defaults(DatabaseServer database, KafkaEndpoint broker, Path logs) {
            return new AttachOptions(
                    database,
                    broker,
                    ORDERS_SCHEMA,
                    ASSIGNMENTS_SCHEMA,
                    UnaryOperator.identity(),
                    logs,
                    Services.defaults());
        }

        public AttachOptions withSchemas(String ordersSchema, String assignmentsSchema) {
            return new AttachOptions(database, broker, ordersSchema, assignmentsSchema, jdbcUrl, logs, services);
        }

        public AttachOptions withJdbcUrl(UnaryOperator<String> jdbcUrl) {
            return new AttachOptions(database, broker, ordersSchema, assignmentsSchema, jdbcUrl, logs, services);
        }

        public AttachOptions withServices(Services services) {
            return new AttachOptions(database, broker, ordersSchema, assignmentsSchema, jdbcUrl, logs, services);
        }

        public AttachOptions withInstances(int orderInstances, int assignmentInstances) {
            return withServices(services.withInstances(orderInstances, assignmentInstances));
        }

        public AttachOptions withPorts(List<Integer> orderPorts, List<Integer> assignmentPorts) {
            return withServices(services.withPorts(orderPorts, assignmentPorts));
        }

        public AttachOptions withProperties(
                Map<String, String> shared, Map<String, String> orderOnly, Map<String, String> assignmentOnly) {
            return withServices(services.withProperties(shared, orderOnly, assignmentOnly));
        }

        public AttachOptions withJvmOptions(List<String> jvmOptions) {
            return withServices(services.withJvmOptions(jvmOptions));
        }

        public AttachOptions withClassDataSharing(boolean classDataSharing) {
            return withServices(services.withClassDataSharing(classDataSharing));
        }
    }

    /** What every service process of one stack is started with, so that more can be started alike. */
    private record Launch(
            Path orderServiceJar,
            Path assignmentServiceJar,
            Map<String, String> order,
            Map<String, String> assignment,
            List<String> orderJvmOptions,
            List<String> assignmentJvmOptions,
            Path logs,
            Duration readyTimeout) {}

    /** Embedded mode only: how the stack was started. */
    private final Options options;
    /** Embedded mode only (null when attached); another object after {@link #restartDatabase}. */
    private volatile EmbeddedMariaDb database;
    /** Embedded mode only (null when attached). */
    private final KafkaBrokerProcess broker;

    private final TcpProxy databaseProxy;
    private final TcpProxy brokerProxy;
    /** Attached mode only (null in embedded mode). */
    private final DatabaseServer attachedDatabase;
    /** Attached mode only (null in embedded mode). */
    private final KafkaEndpoint attachedBroker;

    private final String ordersSchema;
    private final String assignmentsSchema;
    private final Launch launch;
    private final List<ServiceProcess> orderServices;
    private final List<ServiceProcess> assignmentServices;

    private FleetStack(
            Options options,
            EmbeddedMariaDb database,
            KafkaBrokerProcess broker,
            TcpProxy databaseProxy,
            TcpProxy brokerProxy,
            DatabaseServer attachedDatabase,
            KafkaEndpoint attachedBroker,
            String ordersSchema,
            String assignmentsSchema,
            Launch launch,
            List<List<ServiceProcess>> services) {
        this.options = options;
        this.database = database;
        this.broker = broker;
        this.databaseProxy = databaseProxy;
        this.brokerProxy = brokerProxy;
        this.attachedDatabase = attachedDatabase;
        this.attachedBroker = attachedBroker;
        this.ordersSchema = ordersSchema;
        this.assignmentsSchema = assignmentsSchema;
        this.launch = launch;
        this.orderServices = List.copyOf(services.get(0));
        this.assignmentServices = List.copyOf(services.get(1));
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
            UnaryOperator<String> throughProxy =
                    url -> url.replace("127.0.0.1:" + database.port() + "/", "127.0.0.1:" + databasePort + "/");
            List<Integer> orderPorts = resolve(options.services().orderPorts());
            List<Integer> assignmentPorts = resolve(options.services().assignmentPorts());
            Launch launch = launch(
                    database,
                    broker.bootstrapServers(),
                    ORDERS_SCHEMA,
                    ASSIGNMENTS_SCHEMA,
                    throughProxy,
                    assignmentPorts.get(0),
                    options.services(),
                    home.resolve("logs"));
            List<List<ServiceProcess>> services = startServices(launch, orderPorts, assignmentPorts, started);
            return new FleetStack(
                    options,
                    database,
                    broker,
                    databaseProxy,
                    brokerProxy,
                    null,
                    null,
                    ORDERS_SCHEMA,
                    ASSIGNMENTS_SCHEMA,
                    launch,
                    services);
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    /**
     * Starts every service instance (in parallel) on infrastructure that is already running, creating the two
     * schemas if they are missing, and returns when all are ready. Whatever service started is stopped again if
     * one fails; the database and the broker are never stopped or changed, neither here nor by {@link #close()}.
     */
    public static FleetStack attach(AttachOptions options) {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            List<Integer> orderPorts = resolve(options.services().orderPorts());
            List<Integer> assignmentPorts = resolve(options.services().assignmentPorts());
            Launch launch = launch(
                    options.database(),
                    options.broker().bootstrapServers(),
                    options.ordersSchema(),
                    options.assignmentsSchema(),
                    options.jdbcUrl(),
                    assignmentPorts.get(0),
                    options.services(),
                    options.logs());
            List<List<ServiceProcess>> services = startServices(launch, orderPorts, assignmentPorts, started);
            return new FleetStack(
                    null,
                    null,
                    null,
                    null,
                    null,
                    options.database(),
                    options.broker(),
                    options.ordersSchema(),
                    options.assignmentsSchema(),
                    launch,
                    services);
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    /** Both services' Spring properties: the infrastructure's first, then the caller's. */
    private static Launch launch(
            DatabaseServer database,
            String bootstrapServers,
            String ordersSchema,
            String assignmentsSchema,
            UnaryOperator<String> jdbcUrl,
            int firstAssignmentPort,
            Services services,
            Path logs) {
        Map<String, String> base = new HashMap<>(RealInfrastructure.hibernatePropertiesFor(database.serverVersion()));
        base.put("spring.kafka.bootstrap-servers", bootstrapServers);
        base.put("spring.datasource.username", database.username());
        base.put("spring.datasource.password", database.password());
        base.putAll(RealInfrastructure.SINGLE_BROKER_TOPICS); // one broker (or the caller's cluster): RF 1, min ISR 1
        base.putAll(services.shared());
        Map<String, String> order = new LinkedHashMap<>(base);
        order.put("spring.datasource.url", jdbcUrl.apply(database.jdbcUrl(ordersSchema))); // creates the schema
        order.put("fleetsaga.reconciliation.assignment-service.url", "http://127.0.0.1:" + firstAssignmentPort);
        order.putAll(services.orderOnly());
        Map<String, String> assignment = new LinkedHashMap<>(base);
        assignment.put("spring.datasource.url", jdbcUrl.apply(database.jdbcUrl(assignmentsSchema)));
        assignment.putAll(services.assignmentOnly());
        Path logDir = logs.toAbsolutePath().normalize();
        ClassDataSharing.Start orderStart = new ClassDataSharing.Start(services.orderServiceJar(), List.of());
        ClassDataSharing.Start assignmentStart = new ClassDataSharing.Start(services.assignmentServiceJar(), List.of());
        if (services.classDataSharing()) {
            CompletableFuture<ClassDataSharing.Start> orders =
                    CompletableFuture.supplyAsync(() -> ClassDataSharing.prepare(
                            ORDER_SERVICE,
                            services.orderServiceJar(),
                            services.jvmOptions(),
                            order,
                            logDir,
                            services.readyTimeout()));
            assignmentStart = ClassDataSharing.prepare(
                    ASSIGNMENT_SERVICE,
                    services.assignmentServiceJar(),
                    services.jvmOptions(),
                    assignment,
                    logDir,
                    services.readyTimeout());
            orderStart = orders.join();
        }
        return new Launch(
                orderStart.jar(),
                assignmentStart.jar(),
                Map.copyOf(order),
                Map.copyOf(assignment),
                concat(services.jvmOptions(), orderStart.jvmOptions()),
                concat(services.jvmOptions(), assignmentStart.jvmOptions()),
                logDir,
                services.readyTimeout());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /** Launches every instance, then waits for all; returns order-service's and assignment-service's. */
    private static List<List<ServiceProcess>> startServices(
            Launch launch, List<Integer> orderPorts, List<Integer> assignmentPorts, List<AutoCloseable> started) {
        List<CompletableFuture<ServiceProcess>> orders = new ArrayList<>();
        List<CompletableFuture<ServiceProcess>> assignments = new ArrayList<>();
        for (int port : orderPorts) {
            orders.add(launch(
                    ORDER_SERVICE,
                    launch.orderServiceJar(),
                    port,
                    launch.order(),
                    launch.orderJvmOptions(),
                    launch,
                    started));
        }
        for (int port : assignmentPorts) {
            assignments.add(launch(
                    ASSIGNMENT_SERVICE,
                    launch.assignmentServiceJar(),
                    port,
                    launch.assignment(),
                    launch.assignmentJvmOptions(),
                    launch,
                    started));
        }
        List<ServiceProcess> orderServices = new ArrayList<>();
        for (CompletableFuture<ServiceProcess> f : orders) {
            orderServices.add(join(f, started));
        }
        List<ServiceProcess> assignmentServices = new ArrayList<>();
        for (CompletableFuture<ServiceProcess> f : assignments) {
            assignmentServices.add(join(f, started));
        }
        return List.of(orderServices, assignmentServices);
    }

    private static CompletableFuture<ServiceProcess> launch(
            String name,
            Path jar,
            int port,
            Map<String, String> properties,
            List<String> jvmOptions,
            Launch launch,
            List<AutoCloseable> started) {
        ServiceProcess service = ServiceProcess.start(name, jar, port, properties, jvmOptions, launch.logs());
        synchronized (started) {
            started.add(service);
        }
        return CompletableFuture.supplyAsync(() -> service.awaitReady(launch.readyTimeout()));
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

    /** Whether the stack runs its own database and broker ({@link #start}), not someone else's ({@link #attach}). */
    public boolean ownsInfrastructure() {
        return attachedDatabase == null;
    }

    /** How the stack was started. Embedded mode only. */
    public Options options() {
        return owned("options", options);
    }

    /** The database server as it runs now (another object after {@link #restartDatabase}). Embedded mode only. */
    public EmbeddedMariaDb database() {
        return owned("database", database);
    }

    /** The database server in either mode (as it runs now), for the caller's own reads and writes. */
    public DatabaseServer databaseServer() {
        return ownsInfrastructure() ? database : attachedDatabase;
    }

    /** order-service's schema: {@value #ORDERS_SCHEMA} in embedded mode, the caller's when attached. */
    public String ordersSchema() {
        return ordersSchema;
    }

    /** assignment-service's schema: {@value #ASSIGNMENTS_SCHEMA} in embedded mode, the caller's when attached. */
    public String assignmentsSchema() {
        return assignmentsSchema;
    }

    /**
     * A JDBC URL of {@code schema} for the caller's own reads: past the proxy (embedded mode) or the {@link
     * AttachOptions#jdbcUrl} hook (attached).
     */
    public String directJdbcUrl(String schema) {
        return databaseServer().jdbcUrl(schema);
    }

    /** The broker process. Embedded mode only. */
    public KafkaBrokerProcess broker() {
        return owned("broker", broker);
    }

    /** The broker's own address, bypassing the proxy (for the harness's own reads). */
    public String directBootstrapServers() {
        return ownsInfrastructure() ? broker.directBootstrapServers() : attachedBroker.bootstrapServers();
    }

    /** The proxy between the services and the database; empty when {@link Options#proxies} is off or attached. */
    public java.util.Optional<TcpProxy> databaseProxy() {
        return java.util.Optional.ofNullable(databaseProxy);
    }

    /** The proxy between the services and the broker; empty when {@link Options#proxies} is off or attached. */
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
     * Starts one more assignment-service process on {@code port} (0: a free one) with the settings of the stack's
     * own instances and {@code extra} properties on top; returns once it is ready. On the port of a stopped or
     * killed instance it takes that instance's place (its consumer identity, order-service's reconciliation
     * reads it). The caller owns it: {@link #close()} does not stop it and {@link #assignmentServices()} does not
     * list it.
     */
    public ServiceProcess startAssignmentService(int port, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(launch.assignment());
        properties.putAll(extra);
        ServiceProcess service = ServiceProcess.start(
                ASSIGNMENT_SERVICE,
                launch.assignmentServiceJar(),
                port == 0 ? Processes.freePort() : port,
                properties,
                launch.assignmentJvmOptions(),
                launch.logs());
        try {
            return service.awaitReady(launch.readyTimeout());
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    /**
     * Stops the database ({@code kill -9} when {@code crash}, else a clean shutdown) and starts it again on its
     * data; the proxy then forwards new connections to its new port. Needs {@link Options#proxies} (embedded mode).
     * Services see their connections fail and reconnect through the proxy.
     */
    public synchronized void restartDatabase(boolean crash) {
        owned("database", database);
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

    private <T> T owned(String what, T value) {
        if (!ownsInfrastructure()) {
            throw new IllegalStateException("the " + what + " belongs to whoever started the infrastructure: this"
                    + " stack is attached to it (FleetStack.attach) and only runs the services");
        }
        return value;
    }

    /**
     * Stops the services (gracefully, in parallel); in embedded mode then the broker, the database and the
     * proxies. Attached, the infrastructure and the schemas stay as they are.
     */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stops = services().stream()
                .map(s -> CompletableFuture.runAsync(s::close))
                .toList();
        stops.forEach(CompletableFuture::join);
        if (!ownsInfrastructure()) {
            return;
        }
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
