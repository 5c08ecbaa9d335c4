package io.fleetsaga.system;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The deploy kit ({@code deploy/}) read from a repository root, with the checks that can run without Docker or a
 * cluster: {@link #problems()} lists every broken reference between its files (compose file, Prometheus,
 * Alertmanager and Grafana configuration, Kubernetes manifests, the Jib configuration of the poms), and
 * {@link #metricReferences()} the metric names its queries select, for a comparison with a real scrape
 * ({@code DeployKitIT}). Loading fails with the file's name when a file does not parse.
 *
 * <p>Works on any root so that the tests can prove each check on a broken copy ({@link #copy(Path, Path)}).
 */
final class DeployKit {

    static final String COMPOSE = "deploy/docker-compose.yml";
    static final String ENV_EXAMPLE = "deploy/.env.example";
    static final String GITIGNORE = "deploy/.gitignore";
    static final String ALERTS = "deploy/prometheus/alerts.yml";
    static final String DASHBOARD = "deploy/grafana/dashboards/fleet-saga.json";
    static final String K8S = "deploy/k8s";
    static final String SECRET_EXAMPLE = "deploy/k8s/secret.example.yaml";
    static final String PROMETHEUS_RULE = "deploy/k8s/kube-prometheus/prometheusrule.yaml";
    /** The services with images, by Maven artifactId (= module directory). */
    static final List<String> SERVICES = List.of("order-service", "assignment-service");

    static final String LIVENESS = "/actuator/health/liveness";
    static final String READINESS = "/actuator/health/readiness";
    static final String METRICS_PATH = "/actuator/prometheus";
    static final String RECONCILIATION_URL = "FLEETSAGA_RECONCILIATION_ASSIGNMENT_SERVICE_URL";
    static final String PLACEHOLDER = "CHANGE_ME";
    static final String KAFKA_TOPICS = "deploy/k8s/strimzi/kafka-topics.yaml";
    /** The topics the services own (OrderTopics, AssignmentTopics, fleetsaga.consumer.dead-letter-suffix). */
    static final List<String> TOPICS = List.of(
            "fleet.assignment.events", "fleet.assignment.events.DLT", "fleet.order.events", "fleet.order.events.DLT");
    /** fleetsaga.kafka.topics.partitions and fleetsaga.consumer.dead-letters.retention (30 days), their defaults. */
    static final int TOPIC_PARTITIONS = 3;

    static final long DEAD_LETTER_RETENTION_MS = 2_592_000_000L;
    static final String REPLICATION_FACTOR = "FLEETSAGA_KAFKA_TOPICS_REPLICATION_FACTOR";
    static final String MIN_INSYNC_REPLICAS = "FLEETSAGA_KAFKA_TOPICS_MIN_INSYNC_REPLICAS";

    private static final Pattern SECRET_NAME = Pattern.compile("PASSWORD|SECRET|TOKEN|HASH");
    private static final Pattern VARIABLE =
            Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern ONE_VARIABLE = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?][^}]*)?}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The image Jib builds for a service and the port it exposes. */
    record Image(String name, int port) {}

    /** One Kubernetes object and the file it is in. */
    record K8sObject(String file, JsonNode node) {

        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return file + " " + kind() + " " + name();
        }
    }

    private record Mount(Path source, String target) {}

    final Path root;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Image> images = new LinkedHashMap<>();
    private final JsonNode compose;
    private final Map<String, String> envExample;
    private final JsonNode dashboard;
    private final JsonNode alerts;
    private final List<K8sObject> k8s = new ArrayList<>();
    private final List<K8sObject> secrets = new ArrayList<>();
    /** Rule files the compose Prometheus loads (host paths). */
    private final Set<Path> ruleFiles = new LinkedHashSet<>();

    private String grafanaDatasourceUid;

    private DeployKit(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.compose = single(COMPOSE);
        this.envExample = dotenv(this.root.resolve(ENV_EXAMPLE));
        this.dashboard = json(this.root.resolve(DASHBOARD));
        this.alerts = single(ALERTS);
        checkJib();
        checkCompose();
        checkKubernetes();
        checkDashboard();
    }

    /** Reads and checks the kit under {@code root}; throws when a file is missing or does not parse. */
    static DeployKit load(Path root) {
        return new DeployKit(root);
    }

    /** The broken references found, each naming its file; empty when the kit is consistent. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /** The image of each service, from the Jib configuration of the poms. */
    Map<String, Image> images() {
        return Map.copyOf(images);
    }

    Map<String, String> envExample() {
        return Map.copyOf(envExample);
    }

    /**
     * Every metric name a query of the kit selects — the dashboard's panels, the rule files the compose Prometheus
     * loads, the PrometheusRule — with where it is used.
     */
    Map<String, Set<String>> metricReferences() {
        Map<String, Set<String>> references = new TreeMap<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                collect(
                        references,
                        target.path("expr").asText(),
                        DASHBOARD + " panel \"" + panel.path("title").asText() + "\"");
            }
        }
        for (Path file : ruleFiles) {
            for (JsonNode doc : yaml(file)) {
                collectRules(references, doc.path("groups"), relative(file));
            }
        }
        for (K8sObject rule : objects("PrometheusRule")) {
            collectRules(references, rule.node().path("spec").path("groups"), rule.file());
        }
        return references;
    }

    /**
     * The environment docker compose gives {@code service}, with {@code values} for the {@code ${…}} (compose's
     * rules: {@code :-} default, {@code :?} required, {@code $$} a literal {@code $}).
     */
    Map<String, String> composeEnvironment(String service, Map<String, String> values) {
        JsonNode node = compose.path("services").path(service);
        if (node.isMissingNode()) {
            throw new IllegalArgumentException("no service " + service + " in " + COMPOSE);
        }
        Map<String, String> env = new LinkedHashMap<>();
        environment(node).forEach((name, value) -> env.put(name, interpolate(value, values)));
        return env;
    }

    /** The compose services that run {@code artifactId}'s image (any tag), in file order. */
    List<String> composeReplicas(String artifactId) {
        List<String> replicas = new ArrayList<>();
        compose.path("services").properties().forEach(entry -> {
            String image = interpolate(entry.getValue().path("image").asText(), envExample);
            if (image.startsWith("fleet-saga/" + artifactId + ":")) {
                replicas.add(entry.getKey());
            }
        });
        return replicas;
    }

    // ---------------------------------------------------------------------------------------------------- Jib

    private void checkJib() {
        Element rootPom = pom("pom.xml");
        String version = text(rootPom, "version");
        Element managed = plugin(child(child(child(rootPom, "build"), "pluginManagement"), "plugins"));
        if (managed == null) {
            problems.add("pom.xml: no jib-maven-plugin in build/pluginManagement");
            return;
        }
        Element config = child(managed, "configuration");
        String image = text(child(config, "to"), "image");
        if (!"fleet-saga/${project.artifactId}:${project.version}".equals(image)) {
            problems.add("pom.xml: jib-maven-plugin to/image is '" + image
                    + "', expected fleet-saga/${project.artifactId}:${project.version}");
        }
        String base = text(child(config, "from"), "image");
        if (base == null || !base.startsWith("eclipse-temurin:17")) {
            problems.add("pom.xml: jib-maven-plugin from/image is '" + base + "', expected eclipse-temurin:17-jre");
        }
        if (!"true".equals(text(config, "skip"))) {
            problems.add("pom.xml: jib-maven-plugin must be skipped by default (<skip>true</skip>), or modules without"
                    + " an image (common, embedded-infra) get one in an -am build");
        }
        if (child(managed, "executions") != null) {
            problems.add("pom.xml: jib-maven-plugin has <executions>: ./mvnw verify would build images");
        }
        for (String service : SERVICES) {
            String file = service + "/pom.xml";
            Element pom = pom(file);
            Element jib = plugin(child(child(pom, "build"), "plugins"));
            if (jib == null) {
                problems.add(file + ": no jib-maven-plugin in build/plugins");
                continue;
            }
            if (child(jib, "executions") != null) {
                problems.add(file + ": jib-maven-plugin has <executions>: ./mvnw verify would build images");
            }
            Element own = child(jib, "configuration");
            if (!"false".equals(text(own, "skip"))) {
                problems.add(file + ": jib-maven-plugin must set <skip>false</skip> (the root pom skips it)");
            }
            String port = text(child(child(own, "container"), "ports"), "port");
            String artifactId = text(pom, "artifactId");
            String moduleVersion =
                    Optional.ofNullable(text(pom, "version")).orElse(text(child(pom, "parent"), "version"));
            if (port == null || !port.matches("\\d+")) {
                problems.add(file + ": jib-maven-plugin needs container/ports/port");
                continue;
            }
            if (!service.equals(artifactId) || !version.equals(moduleVersion)) {
                problems.add(file + ": artifactId/version " + artifactId + "/" + moduleVersion + " differ from "
                        + service + "/" + version);
            }
            images.put(service, new Image("fleet-saga/" + artifactId + ":" + moduleVersion, Integer.parseInt(port)));
        }
    }

    private Element pom(String file) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder()
                    .parse(root.resolve(file).toFile())
                    .getDocumentElement();
        } catch (Exception e) {
            throw new IllegalStateException(file + " does not parse: " + e.getMessage(), e);
        }
    }

    private static Element plugin(Element plugins) {
        if (plugins == null) {
            return null;
        }
        for (Element plugin : children(plugins, "plugin")) {
            if ("jib-maven-plugin".equals(text(plugin, "artifactId"))) {
                return plugin;
            }
        }
        return null;
    }

    private static Element child(Element parent, String name) {
        List<Element> children = parent == null ? List.of() : children(parent, name);
        return children.isEmpty() ? null : children.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> children = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                children.add(element);
            }
        }
        return children;
    }

    private static String text(Element parent, String name) {
        Element element = child(parent, name);
        return element == null ? null : element.getTextContent().strip();
    }

    // ------------------------------------------------------------------------------------------------ compose

    private void checkCompose() {
        JsonNode services = compose.path("services");
        if (!services.isObject() || services.isEmpty()) {
            problems.add(COMPOSE + ": no services");
            return;
        }
        checkComposeVariables();
        Set<String> namedVolumes = new TreeSet<>();
        compose.path("volumes").propertyNames().forEach(namedVolumes::add);
        services.properties().forEach(entry -> checkComposeService(entry.getKey(), entry.getValue(), namedVolumes));
        for (String kind : List.of("configs", "secrets")) {
            compose.path(kind).properties().forEach(entry -> {
                String file = entry.getValue().path("file").asText(null);
                if (file != null && !Files.exists(composeDir().resolve(file))) {
                    problems.add(COMPOSE + ": " + kind + "." + entry.getKey() + " file " + file + " does not exist");
                }
            });
        }
        for (String service : SERVICES) {
            Image image = images.get(service);
            List<String> replicas = composeReplicas(service);
            if (replicas.size() < 2) {
                problems.add(COMPOSE + ": " + service + " needs two replicas (services with image fleet-saga/" + service
                        + "), found " + replicas);
            }
            for (String replica : replicas) {
                String raw = services.path(replica).path("image").asText();
                for (Map<String, String> values : List.of(envExample, Map.<String, String>of())) {
                    String resolved = interpolate(raw, values);
                    if (image != null && !image.name().equals(resolved)) {
                        problems.add(COMPOSE + ": " + replica + " image is " + resolved
                                + (values.isEmpty() ? " (defaults)" : " (with " + ENV_EXAMPLE + ")")
                                + ", Jib builds " + image.name());
                    }
                }
            }
        }
        checkReconciliationTarget();
        checkPrometheus();
        checkAlertmanager();
        checkGrafana();
    }

    private void checkComposeService(String name, JsonNode service, Set<String> namedVolumes) {
        String where = COMPOSE + ": service " + name;
        if (service.path("image").asText().isBlank() && service.path("build").isMissingNode()) {
            problems.add(where + " has no image");
        }
        for (Mount mount : mounts(service)) {
            if (mount.source() != null && !Files.exists(mount.source())) {
                problems.add(where + " mounts " + relative(mount.source()) + ", which does not exist");
            }
        }
        for (JsonNode volume : service.path("volumes")) {
            String source = volume.isTextual()
                    ? volume.asText().split(":")[0]
                    : volume.path("type").asText("volume").equals("volume")
                            ? volume.path("source").asText()
                            : null;
            if (source != null && !isPath(source) && !source.isEmpty() && !namedVolumes.contains(source)) {
                problems.add(where + " uses volume " + source + ", not declared under top-level volumes");
            }
        }
        for (JsonNode envFile : service.path("env_file")) {
            String path = envFile.isTextual()
                    ? envFile.asText()
                    : envFile.path("path").asText();
            boolean required = envFile.isTextual() || envFile.path("required").asBoolean(true);
            if (required && !Files.exists(composeDir().resolve(path))) {
                problems.add(where + " reads env_file " + path + ", which does not exist");
            }
        }
        environment(service).forEach((variable, value) -> {
            if (SECRET_NAME.matcher(variable).find()
                    && !ONE_VARIABLE.matcher(value).matches()) {
                problems.add(where + " sets " + variable + " to a literal: secrets come from " + ENV_EXAMPLE
                        + " (.env) as ${VARIABLE}");
            }
        });
        for (JsonNode dependency : iterableKeys(service.path("depends_on"))) {
            if (!compose.path("services").has(dependency.asText())) {
                problems.add(where + " depends on " + dependency.asText() + ", which is not a service");
            }
        }
    }

    /** Every ${VAR} without a default is in .env.example, every variable of .env.example is used, none is real. */
    private void checkComposeVariables() {
        Set<String> used = new TreeSet<>();
        forEachText(compose, text -> {
            Matcher matcher = VARIABLE.matcher(text);
            while (matcher.find()) {
                String variable = matcher.group(1) != null ? matcher.group(1) : matcher.group(4);
                if (variable == null) {
                    continue; // $$
                }
                used.add(variable);
                String operator = matcher.group(2);
                boolean hasDefault = operator != null && operator.endsWith("-");
                if (!hasDefault && !envExample.containsKey(variable)) {
                    problems.add(COMPOSE + ": ${" + variable + "} has no default and is not in " + ENV_EXAMPLE);
                }
            }
        });
        envExample.forEach((variable, value) -> {
            if (!used.contains(variable)) {
                problems.add(ENV_EXAMPLE + ": " + variable + " is not used by " + COMPOSE);
            }
            if (SECRET_NAME.matcher(variable).find() && !value.contains(PLACEHOLDER)) {
                problems.add(ENV_EXAMPLE + ": " + variable + " must be a placeholder containing " + PLACEHOLDER);
            }
        });
        List<String> ignored = lines(root.resolve(GITIGNORE));
        if (!ignored.contains(".env") && !ignored.contains("/.env")) {
            problems.add(GITIGNORE + " must ignore .env (the compose stack's secrets)");
        }
    }

    /** order-service's reconciliation URL names a host every assignment-service replica answers to. */
    private void checkReconciliationTarget() {
        Image assignment = images.get("assignment-service");
        List<String> replicas = composeReplicas("assignment-service");
        for (String replica : composeReplicas("order-service")) {
            String url = environment(compose.path("services").path(replica)).get(RECONCILIATION_URL);
            if (url == null) {
                problems.add(COMPOSE + ": " + replica + " does not set " + RECONCILIATION_URL);
                continue;
            }
            URI uri = URI.create(url);
            for (String target : replicas) {
                Set<String> names = new TreeSet<>(Set.of(target));
                compose.path("services")
                        .path(target)
                        .path("networks")
                        .path("default")
                        .path("aliases")
                        .forEach(alias -> names.add(alias.asText()));
                if (!names.contains(uri.getHost())) {
                    problems.add(COMPOSE + ": " + replica + " " + RECONCILIATION_URL + " host " + uri.getHost()
                            + " is not a name of " + target + " " + names);
                }
            }
            if (assignment != null && uri.getPort() != assignment.port()) {
                problems.add(COMPOSE + ": " + replica + " " + RECONCILIATION_URL + " port " + uri.getPort()
                        + " is not assignment-service's " + assignment.port());
            }
        }
    }

    private void checkPrometheus() {
        String name = serviceWithImage("prom/prometheus");
        if (name == null) {
            problems.add(COMPOSE + ": no Prometheus service (image prom/prometheus)");
            return;
        }
        JsonNode service = compose.path("services").path(name);
        String configPath = commandOption(service, "--config.file", "/etc/prometheus/prometheus.yml");
        Path config = hostPath(name, service, configPath);
        if (config == null) {
            return;
        }
        JsonNode prometheus = yaml(config).get(0);
        String configDir = configPath.substring(0, configPath.lastIndexOf('/'));
        for (JsonNode rule : prometheus.path("rule_files")) {
            String path = rule.asText().startsWith("/") ? rule.asText() : configDir + "/" + rule.asText();
            Path file = hostPath(name, service, path);
            if (file != null) {
                ruleFiles.add(file);
            }
        }
        if (ruleFiles.isEmpty()) {
            problems.add(relative(config) + ": loads no rule files");
        }
        Map<String, Set<String>> jobs = new LinkedHashMap<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            Set<String> targets = new TreeSet<>();
            job.path("static_configs").forEach(sc -> sc.path("targets").forEach(t -> targets.add(t.asText())));
            jobs.put(job.path("job_name").asText(), targets);
            if (SERVICES.contains(job.path("job_name").asText())
                    && !METRICS_PATH.equals(job.path("metrics_path").asText())) {
                problems.add(
                        relative(config) + ": job " + job.path("job_name").asText() + " must scrape " + METRICS_PATH);
            }
        }
        for (String artifactId : SERVICES) {
            Image image = images.get(artifactId);
            if (image == null) {
                continue;
            }
            Set<String> expected = new TreeSet<>();
            composeReplicas(artifactId).forEach(replica -> expected.add(replica + ":" + image.port()));
            if (!expected.equals(jobs.get(artifactId))) {
                problems.add(relative(config) + ": job " + artifactId + " scrapes " + jobs.get(artifactId)
                        + ", the replicas are " + expected);
            }
        }
        List<String> alertmanagers = new ArrayList<>();
        prometheus
                .path("alerting")
                .path("alertmanagers")
                .forEach(am -> am.path("static_configs")
                        .forEach(sc -> sc.path("targets").forEach(t -> alertmanagers.add(t.asText()))));
        if (alertmanagers.isEmpty()) {
            problems.add(relative(config) + ": sends alerts to no Alertmanager");
        }
        for (String target : alertmanagers) {
            if (!compose.path("services").has(target.split(":")[0])) {
                problems.add(relative(config) + ": Alertmanager " + target + " is not a compose service");
            }
        }
    }

    private void checkAlertmanager() {
        String name = serviceWithImage("prom/alertmanager");
        if (name == null) {
            problems.add(COMPOSE + ": no Alertmanager service (image prom/alertmanager)");
            return;
        }
        JsonNode service = compose.path("services").path(name);
        Path config =
                hostPath(name, service, commandOption(service, "--config.file", "/etc/alertmanager/alertmanager.yml"));
        if (config == null) {
            return;
        }
        JsonNode alertmanager = yaml(config).get(0);
        Set<String> receivers = new TreeSet<>();
        alertmanager.path("receivers").forEach(r -> receivers.add(r.path("name").asText()));
        String receiver = alertmanager.path("route").path("receiver").asText();
        if (!receivers.contains(receiver)) {
            problems.add(relative(config) + ": route receiver '" + receiver + "' is not among " + receivers);
        }
        boolean inhibits = false;
        for (JsonNode rule : alertmanager.path("inhibit_rules")) {
            Set<String> equal = new TreeSet<>();
            rule.path("equal").forEach(label -> equal.add(label.asText()));
            inhibits |= matchers(rule.path("source_matchers")).contains("severity=\"critical\"")
                    && matchers(rule.path("target_matchers")).contains("severity=\"warning\"")
                    && equal.containsAll(Set.of("alertname", "job"));
        }
        if (!inhibits) {
            problems.add(relative(config) + ": needs an inhibit rule: severity=\"critical\" inhibits"
                    + " severity=\"warning\" with equal [alertname, job]");
        }
    }

    private static Set<String> matchers(JsonNode list) {
        Set<String> matchers = new TreeSet<>();
        list.forEach(m -> matchers.add(m.asText().replace(" ", "").replace('\'', '"')));
        return matchers;
    }

    private void checkGrafana() {
        String name = serviceWithImage("grafana/grafana");
        if (name == null) {
            problems.add(COMPOSE + ": no Grafana service (image grafana/grafana)");
            return;
        }
        JsonNode service = compose.path("services").path(name);
        String provisioningPath =
                environment(service).getOrDefault("GF_PATHS_PROVISIONING", "/etc/grafana/provisioning");
        Path provisioning = hostPath(name, service, provisioningPath);
        if (provisioning == null) {
            return;
        }
        for (JsonNode doc : yamlFilesIn(provisioning.resolve("datasources"))) {
            for (JsonNode datasource : doc.path("datasources")) {
                if ("prometheus".equals(datasource.path("type").asText())) {
                    grafanaDatasourceUid = datasource.path("uid").asText(null);
                    String host = URI.create(datasource.path("url").asText()).getHost();
                    if (!compose.path("services").has(host)) {
                        problems.add(relative(provisioning) + "/datasources: url host " + host
                                + " is not a compose service");
                    }
                }
            }
        }
        if (grafanaDatasourceUid == null) {
            problems.add(relative(provisioning) + "/datasources: no Prometheus datasource with a uid");
        }
        boolean dashboardLoaded = false;
        for (JsonNode doc : yamlFilesIn(provisioning.resolve("dashboards"))) {
            for (JsonNode provider : doc.path("providers")) {
                Path folder = hostPath(
                        name, service, provider.path("options").path("path").asText());
                Path dashboardFile = root.resolve(DASHBOARD);
                dashboardLoaded |= folder != null
                        && folder.normalize().equals(dashboardFile.getParent())
                        && Files.isRegularFile(dashboardFile);
            }
        }
        if (!dashboardLoaded) {
            problems.add(relative(provisioning) + "/dashboards: no provider loads " + DASHBOARD);
        }
    }

    private String serviceWithImage(String repository) {
        for (Map.Entry<String, JsonNode> entry : compose.path("services").properties()) {
            if (entry.getValue().path("image").asText().startsWith(repository + ":")) {
                return entry.getKey();
            }
        }
        return null;
    }

    private static String commandOption(JsonNode service, String option, String fallback) {
        for (JsonNode argument : service.path("command")) {
            if (argument.asText().startsWith(option + "=")) {
                return argument.asText().substring(option.length() + 1);
            }
        }
        return fallback;
    }

    /** The host file behind {@code containerPath} of a compose service (a bind mount or a file inside one). */
    private Path hostPath(String name, JsonNode service, String containerPath) {
        for (Mount mount : mounts(service)) {
            if (mount.source() == null) {
                continue;
            }
            if (containerPath.equals(mount.target())) {
                return existing(name, containerPath, mount.source());
            }
            if (containerPath.startsWith(mount.target() + "/")) {
                return existing(
                        name,
                        containerPath,
                        mount.source()
                                .resolve(containerPath.substring(mount.target().length() + 1)));
            }
        }
        problems.add(COMPOSE + ": service " + name + " reads " + containerPath + ", which no bind mount provides");
        return null;
    }

    private Path existing(String name, String containerPath, Path file) {
        if (!Files.exists(file)) {
            problems.add(COMPOSE + ": service " + name + " reads " + containerPath + " from " + relative(file)
                    + ", which does not exist");
            return null;
        }
        return file;
    }

    private List<Mount> mounts(JsonNode service) {
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode volume : service.path("volumes")) {
            String source;
            String target;
            if (volume.isTextual()) {
                String[] parts = volume.asText().split(":");
                if (parts.length == 1) {
                    continue; // an anonymous volume
                }
                source = parts[0];
                target = parts[1];
            } else {
                source = volume.path("source").asText();
                target = volume.path("target").asText();
            }
            mounts.add(new Mount(isPath(source) ? composeDir().resolve(source).normalize() : null, target));
        }
        return mounts;
    }

    private static boolean isPath(String source) {
        return source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
    }

    private Path composeDir() {
        return root.resolve(COMPOSE).getParent();
    }

    /** A compose service's environment, as a map whether the file writes a map or a list. */
    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode environment = service.path("environment");
        if (environment.isObject()) {
            environment
                    .properties()
                    .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        } else {
            for (JsonNode entry : environment) {
                String[] parts = entry.asText().split("=", 2);
                env.put(parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
        return env;
    }

    private static List<JsonNode> iterableKeys(JsonNode node) {
        List<JsonNode> keys = new ArrayList<>();
        if (node.isObject()) {
            node.propertyNames().forEach(name -> keys.add(JSON.getNodeFactory().stringNode(name)));
        } else {
            node.forEach(keys::add);
        }
        return keys;
    }

    /** Compose's interpolation of {@code value}; a required variable without a value fails. */
    static String interpolate(String value, Map<String, String> values) {
        Matcher matcher = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement;
            if (matcher.group(0).equals("$$")) {
                replacement = "$";
            } else {
                String variable = matcher.group(1) != null ? matcher.group(1) : matcher.group(4);
                String operator = Optional.ofNullable(matcher.group(2)).orElse("");
                String argument = Optional.ofNullable(matcher.group(3)).orElse("");
                String current = values.get(variable);
                boolean unset = current == null || (operator.startsWith(":") && current.isEmpty());
                if (unset && operator.endsWith("-")) {
                    replacement = argument;
                } else if (unset && operator.endsWith("?")) {
                    throw new IllegalArgumentException("required variable " + variable + ": " + argument);
                } else {
                    replacement = current == null ? "" : current;
                }
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** A {@code .env} file: KEY=VALUE lines, quotes removed. */
    static Map<String, String> dotenv(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines(file)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || !trimmed.contains("=")) {
                continue;
            }
            String key = trimmed.substring(0, trimmed.indexOf('=')).strip();
            String value = trimmed.substring(trimmed.indexOf('=') + 1).strip();
            if (value.length() >= 2
                    && (value.charAt(0) == '\'' || value.charAt(0) == '"')
                    && value.charAt(value.length() - 1) == value.charAt(0)) {
                value = value.substring(1, value.length() - 1);
            }
            values.put(key, value);
        }
        return values;
    }

    // --------------------------------------------------------------------------------------------- Kubernetes

    private void checkKubernetes() {
        Path k8sDir = root.resolve(K8S);
        List<Path> kustomizations;
        List<Path> manifests;
        try (Stream<Path> files = Files.walk(k8sDir)) {
            List<Path> all = files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
            kustomizations = all.stream().filter(DeployKit::isKustomization).toList();
            manifests = all.stream().filter(f -> !isKustomization(f)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!kustomizations.contains(k8sDir.resolve("kustomization.yaml"))) {
            problems.add(K8S + ": no kustomization.yaml");
        }
        Set<Path> listed = new LinkedHashSet<>();
        for (Path kustomization : kustomizations) {
            JsonNode node = yaml(kustomization).get(0);
            List<String> entries = new ArrayList<>();
            node.path("resources").forEach(r -> entries.add(r.asText()));
            node.path("components").forEach(r -> entries.add(r.asText()));
            for (String entry : entries) {
                Path target = kustomization.getParent().resolve(entry).normalize();
                if (Files.isDirectory(target)) {
                    if (Stream.of("kustomization.yaml", "kustomization.yml", "Kustomization")
                            .noneMatch(k -> Files.isRegularFile(target.resolve(k)))) {
                        problems.add(relative(kustomization) + ": " + entry + " has no kustomization.yaml");
                    }
                } else if (Files.isRegularFile(target)) {
                    listed.add(target);
                } else {
                    problems.add(relative(kustomization) + ": resource " + entry + " does not exist");
                }
            }
        }
        Path secretExample = root.resolve(SECRET_EXAMPLE);
        for (Path manifest : manifests) {
            if (manifest.equals(secretExample)) {
                continue;
            }
            if (!listed.contains(manifest)) {
                problems.add(relative(manifest) + " is not listed in any kustomization.yaml");
            }
        }
        for (Path manifest : listed) {
            for (JsonNode doc : yaml(manifest)) {
                K8sObject object = new K8sObject(relative(manifest), doc);
                if (doc.path("apiVersion").asText().isEmpty()
                        || object.kind().isEmpty()
                        || object.name().isEmpty()) {
                    problems.add(object.file() + ": an object without apiVersion, kind or metadata.name");
                }
                k8s.add(object);
            }
        }
        if (Files.isRegularFile(secretExample)) {
            yaml(secretExample).forEach(doc -> secrets.add(new K8sObject(SECRET_EXAMPLE, doc)));
        } else {
            problems.add(SECRET_EXAMPLE + " does not exist");
        }
        checkSecretExample();
        for (K8sObject object : k8s) {
            if (object.kind().equals("Secret")) {
                problems.add(object + ": Secrets with values do not belong in the kit (see " + SECRET_EXAMPLE + ")");
            }
            if (object.kind().equals("ConfigMap")) {
                object.node().path("data").propertyNames().forEach(key -> {
                    if (SECRET_NAME.matcher(key).find()) {
                        problems.add(object + ": " + key + " is a secret, it belongs in a Secret");
                    }
                });
            }
        }
        for (String service : SERVICES) {
            if (objects("Deployment").stream().noneMatch(d -> d.name().equals(service))) {
                problems.add(K8S + ": no Deployment " + service);
            }
            if (objects("Service").stream().noneMatch(d -> d.name().equals(service))) {
                problems.add(K8S + ": no Service " + service);
            }
        }
        objects("Deployment").forEach(this::checkDeployment);
        objects("Service").forEach(this::checkService);
        objects("PodDisruptionBudget").forEach(this::checkDisruptionBudget);
        for (K8sObject deployment : objects("Deployment")) {
            if (objects("PodDisruptionBudget").stream()
                    .noneMatch(pdb -> selects(pdb.node().path("spec").path("selector"), podLabels(deployment)))) {
                problems.add(deployment + ": no PodDisruptionBudget selects its pods");
            }
        }
        checkServiceMonitor();
        checkPrometheusRule();
        checkKubernetesMatchesCompose();
        checkKafkaTopics();
    }

    /**
     * The Strimzi KafkaTopics are the services' topics with the services' settings (one source of truth): the owned
     * topics, the partitions, the replication factor and min.insync.replicas of the ConfigMaps, the dead-letter
     * retention; and a production shape, where one broker may be lost without stopping writes.
     */
    private void checkKafkaTopics() {
        Set<String> replicationFactors = new TreeSet<>();
        Set<String> minInsyncReplicas = new TreeSet<>();
        for (K8sObject configMap : objects("ConfigMap")) {
            replicationFactors.add(
                    configMap.node().path("data").path(REPLICATION_FACTOR).asText("(not set)"));
            minInsyncReplicas.add(
                    configMap.node().path("data").path(MIN_INSYNC_REPLICAS).asText("(not set)"));
        }
        if (replicationFactors.size() != 1 || minInsyncReplicas.size() != 1) {
            problems.add(K8S + ": the ConfigMaps must agree on " + REPLICATION_FACTOR + " " + replicationFactors
                    + " and " + MIN_INSYNC_REPLICAS + " " + minInsyncReplicas);
            return;
        }
        String replicas = replicationFactors.iterator().next();
        String minIsr = minInsyncReplicas.iterator().next();
        if (!replicas.matches("\\d+") || !minIsr.matches("\\d+")) {
            problems.add(K8S + ": ConfigMaps set " + REPLICATION_FACTOR + " " + replicas + " and " + MIN_INSYNC_REPLICAS
                    + " " + minIsr + ", both must be numbers");
            return;
        }
        if (Integer.parseInt(replicas) < Integer.parseInt(minIsr) + 1) {
            problems.add(
                    K8S + ": " + REPLICATION_FACTOR + " " + replicas + " with " + MIN_INSYNC_REPLICAS + " " + minIsr
                            + ": the loss of one broker stops writes (production needs replication factor >= min ISR + 1)");
        }
        Set<String> declared = new TreeSet<>();
        for (K8sObject topic : objects("KafkaTopic")) {
            JsonNode spec = topic.node().path("spec");
            String name = spec.path("topicName").asText(topic.name());
            declared.add(name);
            if (!topic.node().path("apiVersion").asText().equals("kafka.strimzi.io/v1beta2")) {
                problems.add(topic + ": apiVersion must be kafka.strimzi.io/v1beta2");
            }
            if (topic.node()
                    .path("metadata")
                    .path("labels")
                    .path("strimzi.io/cluster")
                    .asText()
                    .isEmpty()) {
                problems.add(topic + ": needs the label strimzi.io/cluster (the Kafka cluster of its topic)");
            }
            if (spec.path("partitions").asInt() != TOPIC_PARTITIONS) {
                problems.add(topic + ": partitions " + spec.path("partitions").asText() + ", the services declare "
                        + TOPIC_PARTITIONS);
            }
            if (!spec.path("replicas").asText().equals(replicas)) {
                problems.add(topic + ": replicas " + spec.path("replicas").asText() + ", the services' "
                        + REPLICATION_FACTOR + " is " + replicas);
            }
            String topicMinIsr = spec.path("config").path("min.insync.replicas").asText();
            if (!topicMinIsr.equals(minIsr)) {
                problems.add(topic + ": min.insync.replicas " + topicMinIsr + ", the services' " + MIN_INSYNC_REPLICAS
                        + " is " + minIsr);
            }
            JsonNode retention = spec.path("config").path("retention.ms");
            if (name.endsWith(".DLT") && retention.asLong() != DEAD_LETTER_RETENTION_MS) {
                problems.add(topic + ": retention.ms " + retention.asText() + ", dead letters are kept "
                        + DEAD_LETTER_RETENTION_MS + " ms (fleetsaga.consumer.dead-letters.retention, 30 days)");
            }
        }
        if (!declared.equals(new TreeSet<>(TOPICS))) {
            problems.add(K8S + ": KafkaTopics " + declared + ", the services own " + TOPICS);
        }
    }

    private static boolean isKustomization(Path file) {
        String name = file.getFileName().toString();
        return name.equals("kustomization.yaml") || name.equals("kustomization.yml");
    }

    private void checkSecretExample() {
        for (K8sObject secret : secrets) {
            if (!secret.kind().equals("Secret")) {
                problems.add(secret + ": only Secrets belong in " + SECRET_EXAMPLE);
            }
            if (secret.node().has("data")) {
                problems.add(secret + ": use stringData with " + PLACEHOLDER + " placeholders, not data");
            }
            secret.node().path("stringData").properties().forEach(entry -> {
                if (!entry.getValue().asText().contains(PLACEHOLDER)) {
                    problems.add(secret + ": " + entry.getKey() + " must be a placeholder containing " + PLACEHOLDER);
                }
            });
        }
    }

    private void checkDeployment(K8sObject deployment) {
        JsonNode spec = deployment.node().path("spec");
        if (spec.path("replicas").asInt(1) < 2) {
            problems.add(deployment + ": needs at least 2 replicas (a PodDisruptionBudget of 1 would block drains)");
        }
        if (!selects(spec.path("selector"), podLabels(deployment))) {
            problems.add(deployment + ": selector does not match its pod labels");
        }
        JsonNode template = spec.path("template");
        JsonNode annotations = template.path("metadata").path("annotations");
        JsonNode containers = template.path("spec").path("containers");
        if (containers.isEmpty()) {
            problems.add(deployment + ": no containers");
        }
        for (JsonNode container : containers) {
            String where = deployment + " container " + container.path("name").asText();
            String image = container.path("image").asText();
            Image expected = images.get(deployment.name());
            if (image.startsWith("fleet-saga/")
                    && images.values().stream().noneMatch(i -> i.name().equals(image))) {
                problems.add(where + ": image " + image + " is none of the Jib images " + images.values());
            }
            if (expected != null && !expected.name().equals(image)) {
                problems.add(where + ": image " + image + ", Jib builds " + expected.name());
            }
            Map<String, Integer> ports = new LinkedHashMap<>();
            container
                    .path("ports")
                    .forEach(p -> ports.put(
                            p.path("name").asText(), p.path("containerPort").asInt()));
            if (expected != null && !ports.containsValue(expected.port())) {
                problems.add(where + ": no containerPort " + expected.port() + " (the port of the image)");
            }
            checkProbe(where, container, "livenessProbe", LIVENESS, ports);
            checkProbe(where, container, "readinessProbe", READINESS, ports);
            JsonNode resources = container.path("resources");
            if (resources.path("requests").path("memory").isMissingNode()
                    || resources.path("limits").path("memory").isMissingNode()) {
                problems.add(where + ": needs resources.requests.memory and resources.limits.memory");
            }
            if (expected != null) {
                if (!"true".equals(annotations.path("prometheus.io/scrape").asText())
                        || !String.valueOf(expected.port())
                                .equals(annotations.path("prometheus.io/port").asText())
                        || !METRICS_PATH.equals(
                                annotations.path("prometheus.io/path").asText())) {
                    problems.add(
                            deployment + ": pod template needs prometheus.io/scrape \"true\", prometheus.io/port \""
                                    + expected.port() + "\", prometheus.io/path " + METRICS_PATH);
                }
            }
            checkEnvironmentReferences(where, container);
        }
    }

    private void checkProbe(String where, JsonNode container, String probe, String path, Map<String, Integer> ports) {
        JsonNode httpGet = container.path(probe).path("httpGet");
        if (!path.equals(httpGet.path("path").asText())) {
            problems.add(where + ": " + probe + " must GET " + path + ", is " + container.path(probe));
            return;
        }
        JsonNode port = httpGet.path("port");
        if (port.isInt() ? !ports.containsValue(port.asInt()) : !ports.containsKey(port.asText())) {
            problems.add(where + ": " + probe + " port " + port + " is not a container port " + ports);
        }
    }

    private void checkEnvironmentReferences(String where, JsonNode container) {
        for (JsonNode source : container.path("envFrom")) {
            reference(
                    where, "ConfigMap", source.path("configMapRef").path("name").asText(null), null);
            reference(where, "Secret", source.path("secretRef").path("name").asText(null), null);
        }
        for (JsonNode env : container.path("env")) {
            JsonNode from = env.path("valueFrom");
            reference(
                    where,
                    "ConfigMap",
                    from.path("configMapKeyRef").path("name").asText(null),
                    from.path("configMapKeyRef").path("key").asText(null));
            reference(
                    where,
                    "Secret",
                    from.path("secretKeyRef").path("name").asText(null),
                    from.path("secretKeyRef").path("key").asText(null));
        }
    }

    /** A ConfigMap of the kit, or a Secret of the example, named {@code name} (with {@code key}, if given). */
    private void reference(String where, String kind, String name, String key) {
        if (name == null) {
            return;
        }
        List<K8sObject> candidates = kind.equals("Secret") ? secrets : objects("ConfigMap");
        Optional<K8sObject> object =
                candidates.stream().filter(o -> o.name().equals(name)).findFirst();
        if (object.isEmpty()) {
            problems.add(where + ": refers to " + kind + " " + name + ", which the kit does not define"
                    + (kind.equals("Secret") ? " (in " + SECRET_EXAMPLE + ")" : ""));
        } else if (key != null && !dataKeys(object.get()).contains(key)) {
            problems.add(where + ": refers to key " + key + " of " + kind + " " + name + ", which has "
                    + dataKeys(object.get()));
        }
    }

    private static Set<String> dataKeys(K8sObject object) {
        Set<String> keys = new TreeSet<>();
        for (String field : List.of("data", "stringData")) {
            object.node().path(field).propertyNames().forEach(keys::add);
        }
        return keys;
    }

    private void checkService(K8sObject service) {
        JsonNode selector = service.node().path("spec").path("selector");
        Optional<K8sObject> deployment = objects("Deployment").stream()
                .filter(d -> !selector.isEmpty() && labelsMatch(selector, podLabels(d)))
                .findFirst();
        if (deployment.isEmpty()) {
            problems.add(service + ": selector " + selector + " matches no Deployment's pods");
            return;
        }
        Map<String, Integer> containerPorts = new LinkedHashMap<>();
        deployment
                .get()
                .node()
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .forEach(c -> c.path("ports")
                        .forEach(p -> containerPorts.put(
                                p.path("name").asText(), p.path("containerPort").asInt())));
        for (JsonNode port : service.node().path("spec").path("ports")) {
            JsonNode target = port.path("targetPort");
            boolean resolves = target.isMissingNode()
                    ? containerPorts.containsValue(port.path("port").asInt())
                    : target.isInt()
                            ? containerPorts.containsValue(target.asInt())
                            : containerPorts.containsKey(target.asText());
            if (!resolves) {
                problems.add(service + ": targetPort " + target + " is not a port of " + deployment.get());
            }
        }
    }

    private void checkDisruptionBudget(K8sObject pdb) {
        if (pdb.node().path("spec").path("minAvailable").asInt(-1) != 1) {
            problems.add(pdb + ": minAvailable must be 1");
        }
        if (objects("Deployment").stream()
                .noneMatch(d -> selects(pdb.node().path("spec").path("selector"), podLabels(d)))) {
            problems.add(pdb + ": selects no Deployment's pods");
        }
    }

    private void checkServiceMonitor() {
        List<K8sObject> monitors = objects("ServiceMonitor");
        if (monitors.isEmpty()) {
            problems.add(K8S + ": no ServiceMonitor");
        }
        for (K8sObject monitor : monitors) {
            JsonNode spec = monitor.node().path("spec");
            List<K8sObject> selected = objects("Service").stream()
                    .filter(s -> selects(
                            spec.path("selector"), s.node().path("metadata").path("labels")))
                    .toList();
            for (String service : SERVICES) {
                if (selected.stream().noneMatch(s -> s.name().equals(service))) {
                    problems.add(monitor + ": does not select Service " + service);
                }
            }
            for (JsonNode endpoint : spec.path("endpoints")) {
                if (!METRICS_PATH.equals(endpoint.path("path").asText())) {
                    problems.add(monitor + ": endpoint path must be " + METRICS_PATH);
                }
                for (K8sObject service : selected) {
                    Set<String> names = new TreeSet<>();
                    service.node()
                            .path("spec")
                            .path("ports")
                            .forEach(p -> names.add(p.path("name").asText()));
                    if (!names.contains(endpoint.path("port").asText())) {
                        problems.add(monitor + ": endpoint port "
                                + endpoint.path("port").asText() + " is not a named port of " + service + " " + names);
                    }
                }
            }
        }
    }

    private void checkPrometheusRule() {
        List<K8sObject> rules = objects("PrometheusRule");
        if (rules.isEmpty()) {
            problems.add(K8S + ": no PrometheusRule");
        }
        for (K8sObject rule : rules) {
            if (!rule.node().path("spec").path("groups").equals(alerts.path("groups"))) {
                problems.add(rule + ": spec.groups differ from the groups of " + ALERTS
                        + " (regenerate it: DeployKitTests writes target/deploy-kit/prometheusrule.yaml)");
            }
        }
    }

    /** Both ways of deploying set the same environment variables per service (the compose ones are run in CI). */
    private void checkKubernetesMatchesCompose() {
        for (String service : SERVICES) {
            List<String> replicas = composeReplicas(service);
            Optional<K8sObject> deployment = objects("Deployment").stream()
                    .filter(d -> d.name().equals(service))
                    .findFirst();
            if (replicas.isEmpty() || deployment.isEmpty()) {
                continue;
            }
            Set<String> composeNames = new TreeSet<>(
                    environment(compose.path("services").path(replicas.get(0))).keySet());
            Set<String> k8sNames = new TreeSet<>();
            for (JsonNode container : deployment
                    .get()
                    .node()
                    .path("spec")
                    .path("template")
                    .path("spec")
                    .path("containers")) {
                for (JsonNode source : container.path("envFrom")) {
                    String configMap = source.path("configMapRef").path("name").asText(null);
                    String secret = source.path("secretRef").path("name").asText(null);
                    objects("ConfigMap").stream()
                            .filter(o -> o.name().equals(configMap))
                            .forEach(o -> k8sNames.addAll(dataKeys(o)));
                    secrets.stream().filter(o -> o.name().equals(secret)).forEach(o -> k8sNames.addAll(dataKeys(o)));
                }
                container.path("env").forEach(e -> k8sNames.add(e.path("name").asText()));
            }
            if (!composeNames.equals(k8sNames)) {
                Set<String> onlyCompose = new TreeSet<>(composeNames);
                onlyCompose.removeAll(k8sNames);
                Set<String> onlyK8s = new TreeSet<>(k8sNames);
                onlyK8s.removeAll(composeNames);
                problems.add(deployment.get() + ": environment differs from " + COMPOSE + " " + replicas.get(0)
                        + ": only in compose " + onlyCompose + ", only in Kubernetes " + onlyK8s);
            }
            for (K8sObject configMap : objects("ConfigMap")) {
                String url =
                        configMap.node().path("data").path(RECONCILIATION_URL).asText(null);
                if (url == null) {
                    continue;
                }
                URI uri = URI.create(url);
                Optional<K8sObject> target = objects("Service").stream()
                        .filter(s -> s.name().equals(uri.getHost()))
                        .findFirst();
                if (target.isEmpty() || !target.get().name().equals("assignment-service")) {
                    problems.add(configMap + ": " + RECONCILIATION_URL + " host " + uri.getHost()
                            + " is not the Service assignment-service");
                } else {
                    Set<Integer> ports = new TreeSet<>();
                    target.get()
                            .node()
                            .path("spec")
                            .path("ports")
                            .forEach(p -> ports.add(p.path("port").asInt()));
                    if (!ports.contains(uri.getPort())) {
                        problems.add(configMap + ": " + RECONCILIATION_URL + " port " + uri.getPort()
                                + " is not a port of " + target.get() + " " + ports);
                    }
                }
            }
        }
    }

    private List<K8sObject> objects(String kind) {
        return k8s.stream().filter(o -> o.kind().equals(kind)).toList();
    }

    private static JsonNode podLabels(K8sObject deployment) {
        return deployment.node().path("spec").path("template").path("metadata").path("labels");
    }

    /** A label selector ({@code matchLabels}) that selects {@code labels}. */
    private static boolean selects(JsonNode selector, JsonNode labels) {
        JsonNode matchLabels = selector.path("matchLabels");
        return !matchLabels.isEmpty() && labelsMatch(matchLabels, labels);
    }

    private static boolean labelsMatch(JsonNode wanted, JsonNode labels) {
        for (Map.Entry<String, JsonNode> entry : wanted.properties()) {
            if (!entry.getValue().asText().equals(labels.path(entry.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ Grafana

    private void checkDashboard() {
        List<JsonNode> panels = panels();
        if (panels.isEmpty()) {
            problems.add(DASHBOARD + ": no panels");
        }
        for (JsonNode panel : panels) {
            String where = DASHBOARD + " panel \"" + panel.path("title").asText() + "\"";
            JsonNode targets = panel.path("targets");
            if (!targets.isArray() || targets.isEmpty()) {
                problems.add(where + ": no targets");
            }
            for (JsonNode target : targets) {
                String expr = target.path("expr").asText();
                if (expr.isBlank()) {
                    problems.add(where + ": target " + target.path("refId").asText() + " has no expr");
                    continue;
                }
                try {
                    if (PromQl.metricNames(expr).isEmpty()) {
                        problems.add(where + ": query selects no metric: " + expr);
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(where + ": " + e.getMessage());
                }
                String uid = target.path("datasource")
                        .path("uid")
                        .asText(panel.path("datasource").path("uid").asText(null));
                if (grafanaDatasourceUid != null && !grafanaDatasourceUid.equals(uid)) {
                    problems.add(where + ": datasource uid " + uid + " is not the provisioned Prometheus "
                            + grafanaDatasourceUid);
                }
            }
        }
    }

    /** The dashboard's panels, rows left out and the panels of collapsed rows included. */
    private List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    // --------------------------------------------------------------------------------------------------- misc

    private void collectRules(Map<String, Set<String>> references, JsonNode groups, String file) {
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert")
                        ? "alert " + rule.path("alert").asText()
                        : "record " + rule.path("record").asText();
                collect(references, rule.path("expr").asText(), file + " " + name);
            }
        }
    }

    private void collect(Map<String, Set<String>> references, String expr, String where) {
        try {
            PromQl.metricNames(expr)
                    .forEach(name -> references
                            .computeIfAbsent(name, n -> new TreeSet<>())
                            .add(where));
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
        }
    }

    private JsonNode single(String file) {
        List<JsonNode> docs = yaml(root.resolve(file));
        if (docs.size() != 1) {
            throw new IllegalStateException(file + " must hold one YAML document, has " + docs.size());
        }
        return docs.get(0);
    }

    /** Every document of a YAML file (anchors, aliases and merge keys resolved), as Jackson trees. */
    List<JsonNode> yaml(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<JsonNode> docs = new ArrayList<>();
            for (Object doc : yaml.loadAll(reader)) {
                if (doc != null) {
                    docs.add(JSON.valueToTree(doc));
                }
            }
            return docs;
        } catch (IOException | YAMLException e) {
            throw new IllegalStateException(relative(file) + " does not parse: " + e.getMessage(), e);
        }
    }

    private List<JsonNode> yamlFilesIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(
                            f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                    .sorted()
                    .flatMap(f -> yaml(f).stream())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new IllegalStateException(relative(file) + " does not parse: " + e.getMessage(), e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void forEachText(JsonNode node, java.util.function.Consumer<String> action) {
        if (node.isTextual()) {
            action.accept(node.asText());
        }
        node.forEach(child -> forEachText(child, action));
    }

    private String relative(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(root) ? root.relativize(absolute).toString() : absolute.toString();
    }

    /** The repository root: the parent of the system-tests module Maven runs in. */
    static Path repositoryRoot() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .toAbsolutePath()
                .normalize();
        Path root = module.getParent();
        if (root == null || !Files.isRegularFile(root.resolve(COMPOSE))) {
            throw new IllegalStateException(
                    "no " + COMPOSE + " above " + module + ": run from the system-tests module (Maven sets basedir)");
        }
        return root;
    }

    /** Copies what the kit reads (deploy/ and the poms) from {@code root} to {@code target}; returns target. */
    static Path copy(Path root, Path target) {
        Function<Path, Path> to =
                source -> target.resolve(root.relativize(source).toString());
        try (Stream<Path> files = Files.walk(root.resolve("deploy"))) {
            for (Path source : files.toList()) {
                if (Files.isDirectory(source)) {
                    Files.createDirectories(to.apply(source));
                } else {
                    Files.copy(source, to.apply(source));
                }
            }
            for (String pom : List.of("pom.xml", "order-service/pom.xml", "assignment-service/pom.xml")) {
                Files.createDirectories(to.apply(root.resolve(pom)).getParent());
                Files.copy(root.resolve(pom), to.apply(root.resolve(pom)));
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
