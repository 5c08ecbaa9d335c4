package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus material in {@code deploy/prometheus}: the alert rules are valid and pass their unit tests
 * ({@code alerts.test.yml}), the example configuration is valid, and every alert's {@code runbook_url} points at a
 * heading of the runbook. A unit test (Surefire): it runs {@code promtool} as a process and starts no service.
 *
 * <p>Without {@code promtool} on the {@code PATH} the promtool checks are skipped, unless
 * {@code FLEETSAGA_REQUIRE_PROMTOOL=true} (CI), which makes them fail instead.
 */
class AlertRulesTests {

    private static final Logger log = LoggerFactory.getLogger(AlertRulesTests.class);

    /** The markdown file the runbook anchors must exist in, relative to the repository root. */
    static final String RUNBOOK = "README.md";

    private static final String ALERTS = "deploy/prometheus/alerts.yml";
    private static final String ALERTS_TESTS = "deploy/prometheus/alerts.test.yml";
    private static final String CONFIG = "deploy/prometheus/prometheus.yml";
    private static final String REQUIRE_PROMTOOL = "FLEETSAGA_REQUIRE_PROMTOOL";

    private static final Pattern ALERT = Pattern.compile("^\\s*-\\s*alert:\\s*['\"]?([A-Za-z0-9_:]+)['\"]?\\s*$");
    private static final Pattern RUNBOOK_URL = Pattern.compile("^\\s*runbook_url:\\s*['\"]?([^'\"\\s]+)['\"]?\\s*$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)(?:\\s+#+)?\\s*$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");
    private static final Pattern LINK = Pattern.compile("!?\\[([^\\]]*)]\\([^)]*\\)");

    private final Path root = repositoryRoot();

    @Test
    void alertRulesAreValid() {
        promtool("check", "rules", ALERTS);
    }

    @Test
    void alertRulesPassTheirUnitTests() {
        promtool("test", "rules", ALERTS_TESTS);
    }

    @Test
    void examplePrometheusConfigurationIsValid() {
        promtool("check", "config", CONFIG);
    }

    @Test
    void everyAlertLinksToItsOwnHeadingOfTheRunbook() throws IOException {
        List<String> lines = Files.readAllLines(root.resolve(ALERTS), StandardCharsets.UTF_8);
        List<String> alerts = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (String line : lines) {
            matchGroup(ALERT, line).ifPresent(alerts::add);
            matchGroup(RUNBOOK_URL, line).ifPresent(urls::add);
        }
        assertThat(alerts).as("alert rules in %s", ALERTS).isNotEmpty();
        assertThat(urls)
                .as("one runbook_url per alert rule in %s (alerts: %s)", ALERTS, alerts)
                .hasSameSizeAs(alerts);

        Set<String> headings = githubAnchors(Files.readAllLines(root.resolve(RUNBOOK), StandardCharsets.UTF_8));
        for (int i = 0; i < alerts.size(); i++) {
            String url = urls.get(i);
            assertThat(url)
                    .as("runbook_url of %s", alerts.get(i))
                    .startsWith("https://github.com/fleet-saga/fleet-saga/blob/main/README.md#");
            String anchor = url.substring(url.indexOf('#') + 1);
            assertThat(anchor)
                    .as("anchor of %s's runbook_url", alerts.get(i))
                    .isEqualTo("alert-" + alerts.get(i).toLowerCase(Locale.ROOT));
            assertThat(headings)
                    .as("%s needs a heading \"Alert: %s\" (anchor #%s)", RUNBOOK, alerts.get(i), anchor)
                    .contains(anchor);
        }
    }

    @Test
    void anchorsAreTheOnesGitHubGenerates() {
        assertThat(githubAnchors(List.of(
                        "### Alert: FleetSagaReconciliationDrift",
                        "## Operate it",
                        "### Kafka listeners",
                        "## Use it: the HTTP API",
                        "## `code` & [a link](https://example.org) -- ok",
                        "```",
                        "# not a heading",
                        "```",
                        "## Operate it",
                        "#not-a-heading")))
                .containsExactly(
                        "alert-fleetsagareconciliationdrift",
                        "operate-it",
                        "kafka-listeners",
                        "use-it-the-http-api",
                        "code--a-link----ok",
                        "operate-it-1");
    }

    /** The anchors GitHub gives the headings of a markdown file, in order (duplicates get -1, -2, …). */
    static Set<String> githubAnchors(List<String> markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : markdown) {
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(2));
                int count = seen.merge(slug, 1, Integer::sum);
                anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
            }
        }
        return anchors;
    }

    /** GitHub's heading slug: the rendered text, lower case, punctuation dropped, each space a hyphen. */
    private static String slug(String heading) {
        String text = LINK.matcher(heading).replaceAll("$1").replace("`", "");
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc}\\- ]", "")
                .replace(' ', '-');
    }

    private static Optional<String> matchGroup(Pattern pattern, String line) {
        Matcher matcher = pattern.matcher(line);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private void promtool(String... args) {
        Path promtool = onPath("promtool").orElse(null);
        if (promtool == null) {
            if (Boolean.parseBoolean(System.getenv(REQUIRE_PROMTOOL))) {
                fail("promtool is not on the PATH but " + REQUIRE_PROMTOOL + "=true: install Debian's "
                        + "'prometheus' package (apt-get install --no-install-recommends prometheus), as .ci/run does");
            }
            Assumptions.abort("promtool is not on the PATH (install Debian's 'prometheus' package; " + REQUIRE_PROMTOOL
                    + "=true turns this skip into a failure)");
        }
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        try {
            Path output = Files.createTempFile("promtool-", ".log");
            try {
                Process process = new ProcessBuilder(command)
                        .directory(root.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    fail(
                            "%s did not finish within 2 minutes:%n%s",
                            String.join(" ", command), Files.readString(output));
                }
                String text = Files.readString(output);
                assertThat(process.exitValue())
                        .as("exit code of `%s` in %s, output:%n%s", String.join(" ", command), root, text)
                        .isZero();
                log.info("{}:\n{}", String.join(" ", command), text);
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static Optional<Path> onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The module runs with its own directory as {@code basedir}; the repository root is its parent. */
    private static Path repositoryRoot() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .toAbsolutePath()
                .normalize();
        Path root = module.getParent();
        if (root == null || !Files.isRegularFile(root.resolve(ALERTS))) {
            throw new IllegalStateException(
                    "no " + ALERTS + " above " + module + ": run from the system-tests module (Maven sets basedir)");
        }
        return root;
    }
}
