package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetsaga.infra.RealInfrastructure;
import io.fleetsaga.infra.ServiceProcess;
import io.fleetsaga.infra.WebhookReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy kit against the running services (issue 5): every metric the Grafana dashboard, the compose
 * Prometheus' rule files and the PrometheusRule query is exported by at least one service, checked on real scrapes
 * after some traffic; and the environment docker-compose.yml gives the services (users, reconciliation, latency
 * histograms — by the variable names Kubernetes uses too, see {@link DeployKitTests}) really configures them.
 * Nothing here runs a container: the services run as processes of their executable jars.
 */
class DeployKitIT {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private static final String SECRET = "deploy-kit-secret";

    private final Path root = DeployKit.repositoryRoot();

    @Test
    void everyMetricTheDashboardAndTheAlertRulesQueryIsExported(@TempDir Path copy) throws Exception {
        DeployKit kit = DeployKit.load(root);
        Map<String, Set<String>> referenced = kit.metricReferences();
        assertThat(referenced)
                .containsKeys(
                        "outbox_events_pending",
                        "outbox_parked_total",
                        "kafka_consumer_lag_records",
                        "http_server_requests_seconds_bucket",
                        "reconciliation_drift_orders");
        // courier notifications to a receiver that refuses them (400), parked at the first attempt:
        // outbox_parked_total exists only once something was parked
        WebhookReceiver refusing = WebhookReceiver.start().script(call -> WebhookReceiver.Answer.REJECT);
        Map<String, String> extra = Map.of(
                // what the kit sets for the latency panel (composeEnvironmentConfiguresTheServices shows the variable)
                "management.metrics.distribution.percentiles-histogram.http.server.requests",
                "true",
                "fleetsaga.outbox.webhooks.courier.url",
                refusing.url().toString());
        try (refusing;
                SystemStack stack = SystemStack.start(extra)) {
            Workflow flow = new Workflow(stack);
            flow.assignedOrder(flow.task(5)); // a saga, events both ways, consumers with partitions
            flow.reconcile("{}");

            PrometheusScrape[] scrape = new PrometheusScrape[1];
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        scrape[0] = scrape(stack);
                        assertThat(missing(referenced, scrape[0])).isEmpty();
                    });

            // the same check on copies of the kit with a typo and with a family name instead of a series name
            DeployKit.copy(root, copy);
            replace(copy.resolve(DeployKit.DASHBOARD), "(outbox_events_pending)", "(outbox_events_pendng)");
            replace(
                    copy.resolve(DeployKit.DASHBOARD),
                    "(rate(http_server_requests_seconds_count{",
                    "(rate(http_server_requests_seconds{");
            replace(copy.resolve(DeployKit.ALERTS), "(kafka_listener_up)", "(kafka_listener_upp)");
            Map<String, String> broken = missing(DeployKit.load(copy).metricReferences(), scrape[0]);
            assertThat(broken)
                    .containsOnlyKeys("outbox_events_pendng", "http_server_requests_seconds", "kafka_listener_upp");
            assertThat(broken.get("outbox_events_pendng")).contains("panel \"Outbox backlog\"");
            assertThat(broken.get("http_server_requests_seconds"))
                    .contains("not a series")
                    .contains("http_server_requests_seconds_bucket")
                    .contains("http_server_requests_seconds_count");
            assertThat(broken.get("kafka_listener_upp"))
                    .contains("deploy/prometheus/alerts.yml alert FleetSagaListenerDown");
        }
    }

    /**
     * One replica of each service from docker-compose.yml's environment (its {@code ${…}} filled with test secrets,
     * the hosts mysql, kafka and assignment-service pointed at the local ones): the users log in with the passwords
     * of the environment, reconciliation reaches assignment-service as its SERVICE user, and the API latency has
     * histogram buckets. Proves the variable names, which nothing else would.
     */
    @Test
    void composeEnvironmentConfiguresTheServices() throws Exception {
        DeployKit kit = DeployKit.load(root);
        Map<String, String> values = new LinkedHashMap<>(kit.envExample());
        values.replaceAll((name, value) ->
                name.endsWith("_HASH") ? "{noop}" + SECRET : name.contains("PASSWORD") ? SECRET : value);
        RealInfrastructure infra = RealInfrastructure.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        int assignmentPort = ServiceProcess.freePort();
        int orderPort = ServiceProcess.freePort();

        Map<String, String> assignmentEnv =
                local(kit.composeEnvironment("assignment-service-1", values), infra, "deploykit_assignments_" + run);
        Map<String, String> orderEnv =
                local(kit.composeEnvironment("order-service-1", values), infra, "deploykit_orders_" + run);
        URI reconciliationUrl = URI.create(orderEnv.get(DeployKit.RECONCILIATION_URL));
        assertThat(reconciliationUrl.getHost()).isEqualTo("assignment-service");
        orderEnv.put(
                DeployKit.RECONCILIATION_URL, "http://127.0.0.1:" + assignmentPort + reconciliationUrl.getRawPath());

        List<Launched> processes = new ArrayList<>();
        try {
            processes.add(launch("assignment-service", assignmentPort, assignmentEnv, infra));
            // no schedule (a run on demand below), a short grace period so that it ends soon
            processes.add(launch(
                    "order-service",
                    orderPort,
                    orderEnv,
                    infra,
                    "--fleetsaga.reconciliation.schedule=false",
                    "--fleetsaga.reconciliation.grace-period=1s"));
            processes.forEach(DeployKitIT::awaitReady);

            for (int port : List.of(orderPort, assignmentPort)) {
                assertThat(get(port, "/api/ops/outbox", "ops", SECRET).statusCode())
                        .as("ops with the password of the environment")
                        .isEqualTo(200);
                assertThat(get(port, "/api/ops/outbox", "ops", "wrong").statusCode())
                        .isEqualTo(401);
                assertThat(get(port, "/api/ops/outbox", "dispatcher", SECRET).statusCode())
                        .as("dispatcher: known, but not OPS")
                        .isEqualTo(403);
            }
            assertThat(get(assignmentPort, "/internal/reconciliation/nothing", "service", SECRET)
                            .statusCode())
                    .as("the SERVICE user passes authorisation on assignment-service")
                    .isNotIn(401, 403);

            HttpResponse<String> started = post(orderPort, "/api/ops/reconciliation/runs", "{}", "ops", SECRET);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            long runId = Workflow.JSON.readTree(started.body()).get("id").asLong();
            String[] status = new String[1];
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        String body = get(orderPort, "/api/ops/reconciliation/runs/" + runId, "ops", SECRET)
                                .body();
                        status[0] = Workflow.JSON.readTree(body).path("status").asText() + " " + body;
                        return !status[0].startsWith("RUNNING");
                    });
            assertThat(status[0])
                    .as("a run reads assignment-service with the URL and SERVICE credentials of the environment")
                    .startsWith("COMPLETED");

            PrometheusScrape scrape = new PrometheusScrape()
                    .add(get(orderPort, DeployKit.METRICS_PATH, null, null).body());
            assertThat(scrape.whyMissing("http_server_requests_seconds_bucket"))
                    .as("MANAGEMENT_METRICS_DISTRIBUTION_PERCENTILESHISTOGRAM_HTTP_SERVER_REQUESTS")
                    .isEmpty();
        } finally {
            processes.forEach(DeployKitIT::stop);
        }
    }

    /** The service names and secrets of the compose file replaced by the local database and broker. */
    private static Map<String, String> local(Map<String, String> env, RealInfrastructure infra, String schema) {
        Map<String, String> spring = infra.springProperties(schema);
        Map<String, String> local = new LinkedHashMap<>(env);
        for (String variable :
                List.of("SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD")) {
            assertThat(env).containsKey(variable);
        }
        assertThat(env.get("SPRING_DATASOURCE_URL")).startsWith("jdbc:mysql://mysql:3306/");
        assertThat(env).containsEntry("SPRING_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
        local.put("SPRING_DATASOURCE_URL", spring.get("spring.datasource.url"));
        local.put("SPRING_DATASOURCE_USERNAME", spring.get("spring.datasource.username"));
        local.put("SPRING_DATASOURCE_PASSWORD", spring.get("spring.datasource.password"));
        local.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", spring.get("spring.kafka.bootstrap-servers"));
        return local;
    }

    /**
     * Starts a service's executable jar with {@code env} as its environment (the test JVM's own Spring and
     * fleet-saga variables removed), the infrastructure's Hibernate settings and {@code args} on the command line.
     */
    private static Launched launch(
            String name, int port, Map<String, String> env, RealInfrastructure infra, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m", "-jar"));
        command.add(System.getProperty("fleetsaga." + name + ".jar"));
        command.add("--server.port=" + port);
        infra.hibernateProperties().forEach((key, value) -> command.add("--" + key + "=" + value));
        command.addAll(List.of(args));
        Path logs = Path.of(System.getProperty("fleetsaga.logs.dir", "target/service-logs"));
        Files.createDirectories(logs);
        Path log = logs.resolve("deploykit-" + name + "-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("SPRING_") || k.startsWith("FLEETSAGA_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return new Launched(process, port, log);
    }

    private record Launched(Process process, int port, Path log) {}

    private static void stop(Launched service) {
        Process process = service.process();
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the readiness probe; fails at once, with the log's tail, when the process exits. */
    private static void awaitReady(Launched service) {
        await().atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsMatching(e -> e instanceof UncheckedIOException)
                .until(() -> {
                    if (!service.process().isAlive()) {
                        List<String> log = Files.readAllLines(service.log());
                        throw new AssertionError(service.log() + " exited with "
                                + service.process().exitValue() + ":\n"
                                + String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size())));
                    }
                    return get(service.port(), DeployKit.READINESS, null, null).statusCode() == 200;
                });
    }

    /** Both services' scrapes (every order-service instance and assignment-service). */
    private static PrometheusScrape scrape(SystemStack stack) {
        PrometheusScrape scrape = new PrometheusScrape();
        List<ServiceProcess> services = new ArrayList<>(stack.orderServices);
        services.add(stack.assignmentService);
        for (ServiceProcess service : services) {
            HttpResponse<String> response = stack.get(service, DeployKit.METRICS_PATH, null);
            assertThat(response.statusCode()).isEqualTo(200);
            scrape.add(response.body());
        }
        return scrape;
    }

    /** The referenced names no service exports, each with why and where it is used. */
    private static Map<String, String> missing(Map<String, Set<String>> referenced, PrometheusScrape scrape) {
        Map<String, String> missing = new TreeMap<>();
        referenced.forEach((name, where) ->
                scrape.whyMissing(name).ifPresent(why -> missing.put(name, why + "; used by " + where)));
        return missing;
    }

    private static void replace(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertThat(text).as(file.toString()).contains(from);
        Files.writeString(file, text.replace(from, to));
    }

    private static HttpResponse<String> get(int port, String path, String user, String password) {
        return send(request(port, path, user, password).GET().build());
    }

    private static HttpResponse<String> post(int port, String path, String json, String user, String password) {
        return send(request(port, path, user, password)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    private static HttpRequest.Builder request(int port, String path, String user, String password) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (user != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
