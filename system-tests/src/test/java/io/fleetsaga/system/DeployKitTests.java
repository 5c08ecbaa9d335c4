package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The deploy kit ({@code deploy/}, issue 5) checked without Docker or a cluster: every file parses, every file a
 * compose mount, a Prometheus/Alertmanager/Grafana configuration or a kustomization refers to exists, the
 * Kubernetes objects fit together (probes on the health groups, ConfigMaps and Secrets the kit defines, Services and
 * budgets that select the pods, a ServiceMonitor that finds the Services), images are the ones Jib builds, the
 * PrometheusRule equals {@code alerts.yml}, the dashboard's panels all query something. Each check is shown to fail
 * on a broken copy of the kit. Whether the queried metrics exist is {@code DeployKitIT}'s part (it needs the
 * services running).
 *
 * <p>promtool, amtool and kubectl, where on the {@code PATH}, check the files as the real tools read them; only
 * promtool is required ({@code FLEETSAGA_REQUIRE_PROMTOOL=true}, as in CI).
 */
class DeployKitTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root = DeployKit.repositoryRoot();

    @Test
    void theKitIsConsistent() throws IOException {
        DeployKit kit = DeployKit.load(root);
        if (kit.problems().stream().anyMatch(p -> p.contains("spec.groups differ"))) {
            Path regenerated = Path.of("target", "deploy-kit", "prometheusrule.yaml");
            Files.createDirectories(regenerated.getParent());
            Files.writeString(regenerated, regeneratedPrometheusRule());
        }
        assertThat(kit.problems()).isEmpty();
        assertThat(kit.images())
                .containsOnlyKeys(DeployKit.SERVICES)
                .allSatisfy((service, image) -> assertThat(image.name()).startsWith("fleet-saga/" + service + ":"));
        assertThat(kit.composeReplicas("order-service")).containsExactly("order-service-1", "order-service-2");
        assertThat(kit.composeReplicas("assignment-service"))
                .containsExactly("assignment-service-1", "assignment-service-2");
    }

    @Test
    void everyYamlAndJsonFileOfTheKitParses() throws IOException {
        DeployKit kit = DeployKit.load(root);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root.resolve("deploy"))) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        int documents = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(".yml") || name.endsWith(".yaml")) {
                List<JsonNode> docs = kit.yaml(file);
                assertThat(docs).as(file.toString()).isNotEmpty();
                documents += docs.size();
            } else if (name.endsWith(".json")) {
                assertThat(JSON.readTree(file.toFile())).as(file.toString()).isNotNull();
            }
        }
        assertThat(documents).isGreaterThan(15);
    }

    /** The replicas are merged from one anchor ({@code <<: *order-service}): Jackson's YAML parser would not. */
    @Test
    void replicasGetTheWholeEnvironmentOfTheirAnchor() {
        DeployKit kit = DeployKit.load(root);
        Map<String, String> values = kit.envExample();
        Map<String, String> first = kit.composeEnvironment("order-service-1", values);
        assertThat(first)
                .containsEntry("SPRING_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
                .containsEntry("FLEETSAGA_SECURITY_USERS_1_NAME", "ops")
                .containsEntry("SPRING_DATASOURCE_PASSWORD", values.get("ORDERS_DB_PASSWORD"));
        assertThat(kit.composeEnvironment("order-service-2", values)).isEqualTo(first);
        assertThat(kit.composeEnvironment("assignment-service-2", values))
                .isEqualTo(kit.composeEnvironment("assignment-service-1", values))
                .containsEntry("FLEETSAGA_SECURITY_USERS_2_ROLES", "SERVICE");
    }

    @Test
    void interpolatesLikeDockerCompose() {
        Map<String, String> values = Map.of("A", "a", "EMPTY", "");
        assertThat(DeployKit.interpolate("${A}-${A:-x}-${B:-x}-${EMPTY:-x}-${EMPTY-x}-$A-$$A", values))
                .isEqualTo("a-a-x-x--a-$A");
        assertThatThrownBy(() -> DeployKit.interpolate("${B:?set B}", values)).hasMessageContaining("set B");
        assertThatThrownBy(() -> DeployKit.interpolate("${EMPTY:?set it}", values))
                .hasMessageContaining("set it");
    }

    @Test
    void findsTheMetricNamesOfPromQlQueries() {
        assertThat(PromQl.metricNames("""
                        time() - (
                            max by (job) (reconciliation_last_success_timestamp_seconds > 0)
                          or
                            min by (job) (process_start_time_seconds and on (job, instance) reconciliation_last_success_timestamp_seconds)
                        ) > 3 * max by (job) (reconciliation_interval_seconds)
                        """))
                .containsExactly(
                        "reconciliation_last_success_timestamp_seconds",
                        "process_start_time_seconds",
                        "reconciliation_interval_seconds");
        assertThat(PromQl.metricNames(
                        "histogram_quantile(0.95, sum by (job, le) (rate(http_server_requests_seconds_bucket"
                                + "{uri!~\"/actuator.*\", status=~\"2..|}\"}[5m])))"))
                .containsExactly("http_server_requests_seconds_bucket");
        assertThat(PromQl.metricNames("sum(rate(a_total[$__rate_interval] offset 1h30m)) * on(job) group_left(version)"
                        + " build_info / ignoring(x) b:c_rate5m @ end() > bool 1e3"))
                .containsExactly("a_total", "build_info", "b:c_rate5m");
        assertThat(PromQl.metricNames("label_replace(max_over_time(rate(x[5m])[1h:1m]), \"to\", \"$1\", \"from\","
                        + " \"(.*)\") unless topk(3, sum without (instance) (y))"))
                .containsExactly("x", "y");
        assertThat(PromQl.metricNames("time()")).isEmpty();
        assertThatThrownBy(() -> PromQl.metricNames("rat(outbox_published_total[5m])"))
                .hasMessageContaining("unknown PromQL function 'rat'");
        assertThatThrownBy(() -> PromQl.metricNames("sum(x{a=\"b\"}")).hasMessageContaining("unclosed '('");
        assertThatThrownBy(() -> PromQl.metricNames("sum(x{a=\"b\")")).hasMessageContaining("unclosed '{'");
    }

    /** Queries select series: a timer is _count/_sum/_max (+ _bucket with histograms), a counter _total. */
    @Test
    void aReferencedNameCountsOnlyWhenASeriesOfThatNameIsScraped() {
        PrometheusScrape scrape = new PrometheusScrape()
                .add("""
                        # HELP outbox_published_total Outbox events acknowledged by the broker
                        # TYPE outbox_published_total counter
                        outbox_published_total{application="order-service",topic="fleet.order.events"} 3.0
                        # TYPE http_server_requests_seconds summary
                        http_server_requests_seconds_count{method="GET",status="200",uri="/api/x"} 2
                        http_server_requests_seconds_sum{method="GET",status="200",uri="/api/x"} 0.1
                        # TYPE http_server_requests_seconds_max gauge
                        http_server_requests_seconds_max{method="GET",status="200",uri="/api/x"} 0.07
                        outbox_events_pending 0.0
                        """)
                .add("# TYPE reconciliation_duration_seconds histogram\n"
                        + "reconciliation_duration_seconds_bucket{le=\"+Inf\"} 1\n");
        assertThat(scrape.whyMissing("outbox_published_total")).isEmpty();
        assertThat(scrape.whyMissing("http_server_requests_seconds_count")).isEmpty();
        assertThat(scrape.whyMissing("http_server_requests_seconds_max")).isEmpty();
        assertThat(scrape.whyMissing("outbox_events_pending")).isEmpty();
        assertThat(scrape.whyMissing("reconciliation_duration_seconds_bucket")).isEmpty();
        assertThat(scrape.whyMissing("http_server_requests_seconds_bucket"))
                .hasValueSatisfying(why -> assertThat(why).contains("no histogram buckets"));
        assertThat(scrape.whyMissing("http_server_requests_seconds"))
                .hasValueSatisfying(why -> assertThat(why)
                        .contains("query one of [http_server_requests_seconds_count, http_server_requests_seconds_sum,"
                                + " http_server_requests_seconds_max]"));
        assertThat(scrape.whyMissing("outbox_published"))
                .hasValueSatisfying(why -> assertThat(why).contains("query one of [outbox_published_total]"));
        assertThat(scrape.whyMissing("outbox_events_pending_total"))
                .hasValueSatisfying(why -> assertThat(why).contains("a gauge has no _total"));
        assertThat(scrape.whyMissing("outbox_events_pendin"))
                .hasValueSatisfying(why -> assertThat(why).contains("not exported by any service"));
    }

    static Stream<Arguments> brokenCopies() {
        String order = "deploy/k8s/base/order-service.yaml";
        String assignment = "deploy/k8s/base/assignment-service.yaml";
        String configMaps = "deploy/k8s/base/configmaps.yaml";
        String compose = DeployKit.COMPOSE;
        return Stream.of(
                // Kubernetes: probes on the health groups
                broken(
                        order,
                        "path: /actuator/health/readiness",
                        "path: /actuator/health",
                        "readinessProbe must GET /actuator/health/readiness"),
                broken(
                        assignment,
                        "          livenessProbe:",
                        "          livenesProbe:",
                        "livenessProbe must GET /actuator/health/liveness"),
                broken(
                        order,
                        "              port: http\n",
                        "              port: web\n",
                        "port \"web\" is not a container port"),
                // Kubernetes: env from ConfigMaps and Secrets of the kit
                broken(
                        order,
                        "name: order-service-config",
                        "name: order-service-conf",
                        "refers to ConfigMap order-service-conf, which the kit does not define"),
                broken(
                        assignment,
                        "key: OPS_PASSWORD_HASH",
                        "key: OPS_PASSWORD",
                        "refers to key OPS_PASSWORD of Secret assignment-service-secrets"),
                broken(
                        DeployKit.SECRET_EXAMPLE,
                        "name: order-service-secrets",
                        "name: orders-secrets",
                        "refers to Secret order-service-secrets, which the kit does not define"),
                broken(
                        DeployKit.SECRET_EXAMPLE,
                        "SERVICE_PASSWORD: CHANGE_ME-service-password",
                        "SERVICE_PASSWORD: hunter2",
                        "SERVICE_PASSWORD must be a placeholder"),
                broken(
                        configMaps,
                        "  SPRING_KAFKA_BOOTSTRAP_SERVERS: kafka:9092\n",
                        "  SPRING_KAFKA_BOOTSTRAP_SERVERS: kafka:9092\n  SPRING_DATASOURCE_PASSWORD: oops\n",
                        "SPRING_DATASOURCE_PASSWORD is a secret"),
                broken(
                        configMaps,
                        "  FLEETSAGA_SECURITY_USERS_1_ROLES: OPS\n",
                        "",
                        "environment differs from deploy/docker-compose.yml"),
                broken(
                        configMaps,
                        "URL: http://assignment-service:8082",
                        "URL: http://assignment-service:8080",
                        "port 8080 is not a port of"),
                // Kubernetes: images, ports, selectors, budgets, monitoring
                broken(
                        order,
                        "image: fleet-saga/order-service:0.1.0-SNAPSHOT",
                        "image: fleet-saga/order-service:latest",
                        "Jib builds fleet-saga/order-service:0.1.0-SNAPSHOT"),
                broken(order, "  replicas: 2", "  replicas: 1", "needs at least 2 replicas"),
                broken(order, "  minAvailable: 1", "  minAvailable: 0", "minAvailable must be 1"),
                broken(assignment, "targetPort: http", "targetPort: web", "targetPort \"web\" is not a port"),
                broken(
                        order,
                        "prometheus.io/port: \"8081\"",
                        "prometheus.io/port: \"8080\"",
                        "pod template needs prometheus.io/scrape"),
                broken(
                        "deploy/k8s/kube-prometheus/servicemonitor.yaml",
                        "    - port: http",
                        "    - port: metrics",
                        "endpoint port metrics is not a named port"),
                broken(
                        DeployKit.ALERTS,
                        "(outbox_oldest_pending_age_seconds) > 300",
                        "(outbox_oldest_pending_age_seconds) > 301",
                        "spec.groups differ from the groups of deploy/prometheus/alerts.yml"),
                // Kubernetes: Strimzi topics mirror the services' settings
                broken(
                        DeployKit.KAFKA_TOPICS,
                        "  replicas: 3\n",
                        "  replicas: 1\n",
                        "replicas 1, the services' FLEETSAGA_KAFKA_TOPICS_REPLICATION_FACTOR is 3"),
                broken(
                        DeployKit.KAFKA_TOPICS,
                        "    retention.ms: 2592000000",
                        "    retention.ms: 604800000",
                        "retention.ms 604800000, dead letters are kept 2592000000 ms"),
                broken(
                        DeployKit.KAFKA_TOPICS,
                        "  topicName: fleet.order.events.DLT",
                        "  topicName: fleet.order.events.dlt",
                        "the services own [fleet.assignment.events, fleet.assignment.events.DLT"),
                broken(
                        configMaps,
                        "  FLEETSAGA_KAFKA_TOPICS_MIN_INSYNC_REPLICAS: \"2\"\n",
                        "  FLEETSAGA_KAFKA_TOPICS_MIN_INSYNC_REPLICAS: \"3\"\n",
                        "the loss of one broker stops writes"),
                // kustomizations
                broken(
                        "deploy/k8s/base/kustomization.yaml",
                        "  - configmaps.yaml",
                        "  - configmap.yaml",
                        "resource configmap.yaml does not exist"),
                broken(
                        "deploy/k8s/kube-prometheus/kustomization.yaml",
                        "  - servicemonitor.yaml\n",
                        "",
                        "servicemonitor.yaml is not listed in any kustomization.yaml"),
                // compose: images, files, volumes, secrets, variables
                broken(
                        compose,
                        "image: fleet-saga/assignment-service:${FLEETSAGA_VERSION:-0.1.0-SNAPSHOT}",
                        "image: fleet-saga/assignment-service:${FLEETSAGA_VERSION:-0.1.0}",
                        "image is fleet-saga/assignment-service:0.1.0 (defaults), Jib builds"),
                broken(
                        DeployKit.ENV_EXAMPLE,
                        "FLEETSAGA_VERSION=0.1.0-SNAPSHOT",
                        "FLEETSAGA_VERSION=0.2.0",
                        "(with deploy/.env.example), Jib builds"),
                broken(
                        compose,
                        "order-service-2:\n    <<: *order-service",
                        "order-service-2:\n    <<: *assignment-service",
                        "order-service needs two replicas"),
                broken(
                        compose,
                        "./prometheus/alerts.yml:",
                        "./prometheus/alert.yml:",
                        "mounts deploy/prometheus/alert.yml, which does not exist"),
                broken(
                        compose,
                        ":/etc/prometheus/alerts.yml:ro",
                        ":/etc/prometheus/rules.yml:ro",
                        "reads /etc/prometheus/alerts.yml, which no bind mount provides"),
                broken(
                        compose,
                        "- mysql-data:/var/lib/mysql",
                        "- mysqldata:/var/lib/mysql",
                        "uses volume mysqldata, not declared"),
                broken(
                        compose,
                        "SPRING_DATASOURCE_PASSWORD: ${ORDERS_DB_PASSWORD:?set ORDERS_DB_PASSWORD in deploy/.env}",
                        "SPRING_DATASOURCE_PASSWORD: orders-secret",
                        "sets SPRING_DATASOURCE_PASSWORD to a literal"),
                broken(
                        compose,
                        "${GRAFANA_ADMIN_PASSWORD:?",
                        "${GRAFANA_PASSWORD:?",
                        "${GRAFANA_PASSWORD} has no default and is not in deploy/.env.example"),
                broken(
                        DeployKit.ENV_EXAMPLE,
                        "OPS_PASSWORD_HASH='{bcrypt}CHANGE_ME-bcrypt-hash-of-the-ops-password'",
                        "OPS_PASSWORD_HASH='{bcrypt}$2y$10$0123456789012345678901234567890123456789012345678901'",
                        "OPS_PASSWORD_HASH must be a placeholder"),
                broken(DeployKit.GITIGNORE, ".env", ".envrc", "must ignore .env"),
                broken(
                        compose,
                        "URL: http://assignment-service:8082",
                        "URL: http://assignment-service-1:8082",
                        "host assignment-service-1 is not a name of assignment-service-2"),
                // compose: Prometheus, Alertmanager, Grafana
                broken(
                        "deploy/prometheus/prometheus-compose.yml",
                        "'order-service-1:8081', 'order-service-2:8081'",
                        "'order-service-1:8081'",
                        "job order-service scrapes [order-service-1:8081], the replicas are"),
                broken(
                        "deploy/prometheus/prometheus-compose.yml",
                        "targets: ['alertmanager:9093']",
                        "targets: ['alert-manager:9093']",
                        "Alertmanager alert-manager:9093 is not a compose service"),
                broken(
                        "deploy/alertmanager/alertmanager.yml",
                        "equal: [alertname, job]",
                        "equal: [alertname]",
                        "needs an inhibit rule"),
                broken(
                        "deploy/alertmanager/alertmanager.yml",
                        "  receiver: fleet-saga-oncall",
                        "  receiver: nobody",
                        "route receiver 'nobody' is not among [fleet-saga-oncall]"),
                broken(
                        "deploy/grafana/provisioning/datasources/prometheus.yml",
                        "uid: prometheus",
                        "uid: prom",
                        "is not the provisioned Prometheus prom"),
                broken(
                        "deploy/grafana/provisioning/dashboards/fleet-saga.yml",
                        "path: /etc/grafana/dashboards",
                        "path: /var/lib/grafana/dashboards",
                        "no provider loads deploy/grafana/dashboards/fleet-saga.json"),
                broken(
                        DeployKit.DASHBOARD,
                        "rate(outbox_published_total[5m])",
                        "rat(outbox_published_total[5m])",
                        "unknown PromQL function 'rat'"),
                // Jib
                broken(
                        "pom.xml",
                        "<image>fleet-saga/${project.artifactId}:${project.version}</image>",
                        "<image>fleet-saga/${project.artifactId}</image>",
                        "jib-maven-plugin to/image is 'fleet-saga/${project.artifactId}'"),
                broken(
                        "order-service/pom.xml",
                        "<artifactId>jib-maven-plugin</artifactId>\n",
                        "<artifactId>jib-maven-plugin</artifactId>\n<executions><execution><phase>package</phase>"
                                + "<goals><goal>dockerBuild</goal></goals></execution></executions>\n",
                        "order-service/pom.xml: jib-maven-plugin has <executions>"),
                broken(
                        "assignment-service/pom.xml",
                        "<port>8082</port>",
                        "<port>8080</port>",
                        "no containerPort 8080 (the port of the image)"));
    }

    private static Arguments broken(String file, String from, String to, String problem) {
        return Arguments.of(file, from, to, problem);
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("brokenCopies")
    void eachCheckFailsOnABrokenCopy(String file, String from, String to, String problem, @TempDir Path copy)
            throws IOException {
        DeployKit.copy(root, copy);
        edit(copy.resolve(file), text -> {
            assertThat(text).as("%s contains the text to break", file).contains(from);
            return text.replace(from, to);
        });
        assertThat(DeployKit.load(copy).problems())
                .anySatisfy(p -> assertThat(p).contains(problem));
    }

    @Test
    void aDashboardPanelWithoutTargetsOrWithAnEmptyQueryFails(@TempDir Path copy) throws IOException {
        DeployKit.copy(root, copy);
        Path dashboard = copy.resolve(DeployKit.DASHBOARD);
        ObjectNode json = (ObjectNode) JSON.readTree(dashboard.toFile());
        ((ObjectNode) json.path("panels").get(0)).remove("targets");
        ((ObjectNode) json.path("panels").get(1).path("targets").get(0)).put("expr", " ");
        JSON.writeValue(dashboard.toFile(), json);
        assertThat(DeployKit.load(copy).problems())
                .anySatisfy(p -> assertThat(p).contains("panel \"Outbox backlog\": no targets"))
                .anySatisfy(p -> assertThat(p).contains("panel \"Oldest pending outbox event\": target A has no expr"));
    }

    @Test
    void aFileThatDoesNotParseFailsWithItsName(@TempDir Path copy) throws IOException {
        DeployKit.copy(root, copy);
        Path deployment = copy.resolve("deploy/k8s/base/assignment-service.yaml");
        String original = Files.readString(deployment);
        Files.writeString(deployment, original.replace("  replicas: 2", "  replicas: [2"));
        assertThatThrownBy(() -> DeployKit.load(copy))
                .hasMessageContaining("deploy/k8s/base/assignment-service.yaml does not parse");

        Files.writeString(deployment, original.replace("  replicas: 2", "  replicas: 2\n  replicas: 3"));
        assertThatThrownBy(() -> DeployKit.load(copy))
                .as("duplicate keys")
                .hasMessageContaining("assignment-service.yaml does not parse");

        Files.writeString(deployment, original);
        edit(copy.resolve(DeployKit.DASHBOARD), text -> text.replaceFirst("\\{", "{,"));
        assertThatThrownBy(() -> DeployKit.load(copy)).hasMessageContaining("fleet-saga.json does not parse");
    }

    // ---------------------------------------------------------------- the real tools, where installed

    @Test
    void promtoolAcceptsTheComposePrometheusConfiguration() {
        Optional<Path> promtool = tool("promtool", true);
        String output = run(List.of(
                promtool.orElseThrow().toString(), "check", "config", "deploy/prometheus/prometheus-compose.yml"));
        assertThat(output).contains("SUCCESS").contains("alerts.yml");
    }

    @Test
    void amtoolAcceptsTheAlertmanagerConfiguration() {
        Optional<Path> amtool = tool("amtool", false);
        assertThat(run(List.of(
                        amtool.orElseThrow().toString(), "check-config", "deploy/alertmanager/alertmanager.yml")))
                .contains("SUCCESS");
    }

    @Test
    void kustomizeBuildsBothKustomizations() {
        Optional<Path> kubectl = tool("kubectl", false);
        String base = run(List.of(kubectl.orElseThrow().toString(), "kustomize", DeployKit.K8S));
        String monitoring =
                run(List.of(kubectl.orElseThrow().toString(), "kustomize", DeployKit.K8S + "/kube-prometheus"));
        assertThat(kinds(base))
                .containsExactlyInAnyOrder(
                        "Namespace",
                        "ConfigMap",
                        "ConfigMap",
                        "Service",
                        "Service",
                        "Deployment",
                        "Deployment",
                        "PodDisruptionBudget",
                        "PodDisruptionBudget");
        List<String> withMonitoring = new ArrayList<>(kinds(base));
        withMonitoring.addAll(List.of("ServiceMonitor", "PrometheusRule"));
        assertThat(kinds(monitoring)).containsExactlyInAnyOrderElementsOf(withMonitoring);
        assertThat(monitoring).contains("namespace: fleet-saga");
        String strimzi = run(List.of(kubectl.orElseThrow().toString(), "kustomize", DeployKit.K8S + "/strimzi"));
        List<String> withTopics = new ArrayList<>(kinds(base));
        withTopics.addAll(List.of("KafkaTopic", "KafkaTopic", "KafkaTopic", "KafkaTopic"));
        assertThat(kinds(strimzi)).containsExactlyInAnyOrderElementsOf(withTopics);
        assertThat(strimzi.lines().filter(l -> l.strip().equals("FLEETSAGA_KAFKA_TOPICS_DECLARE: \"false\"")))
                .as("both services leave the topics to Strimzi")
                .hasSize(2);
    }

    private static List<String> kinds(String yamlStream) {
        return yamlStream
                .lines()
                .filter(l -> l.startsWith("kind: "))
                .map(l -> l.substring(6).strip())
                .toList();
    }

    /** The PrometheusRule with its header kept and spec.groups regenerated from alerts.yml. */
    private String regeneratedPrometheusRule() throws IOException {
        String rule = Files.readString(root.resolve(DeployKit.PROMETHEUS_RULE));
        String header = rule.substring(0, rule.indexOf("\nspec:\n") + "\nspec:\n".length());
        List<String> alerts = Files.readAllLines(root.resolve(DeployKit.ALERTS), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(header);
        boolean groups = false;
        for (String line : alerts) {
            groups |= line.startsWith("groups:");
            if (groups) {
                out.append(line.isBlank() ? "" : "  " + line).append('\n');
            }
        }
        return out.toString();
    }

    private static void edit(Path file, java.util.function.UnaryOperator<String> change) throws IOException {
        Files.writeString(file, change.apply(Files.readString(file)));
    }

    /** {@code name} on the PATH; absent: the test is skipped, or fails when {@code required} and CI asks for it. */
    private static Optional<Path> tool(String name, boolean required) {
        for (String dir : Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        if (required && Boolean.parseBoolean(System.getenv("FLEETSAGA_REQUIRE_PROMTOOL"))) {
            fail(name + " is not on the PATH but FLEETSAGA_REQUIRE_PROMTOOL=true (Debian package 'prometheus')");
        }
        Assumptions.abort(name + " is not on the PATH");
        return Optional.empty();
    }

    private String run(List<String> command) {
        try {
            Path output = Files.createTempFile("deploy-kit-", ".log");
            try {
                Process process = new ProcessBuilder(command)
                        .directory(root.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    fail("%s did not finish within 2 minutes", command);
                }
                String text = Files.readString(output);
                assertThat(process.exitValue()).as("%s:%n%s", command, text).isZero();
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
