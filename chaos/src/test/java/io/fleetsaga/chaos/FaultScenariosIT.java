package io.fleetsaga.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The short version of every scenario of the fault harness (small workload, compressed settings, one seed), on one
 * stack of real processes. Each test fails with the scenario's report when an invariant broke; all reports are in
 * {@code chaos/target/chaos/ci/chaos-report.md}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultScenariosIT {

    private static final Path DIR =
            Path.of(System.getProperty("fleetsaga.chaos.dir", "target/chaos")).resolve("ci");
    private static final Parameters PARAMETERS = Parameters.ci(Long.getLong("fleetsaga.chaos.seed", 42));
    private static final List<ScenarioResult> results = new ArrayList<>();
    private static Harness harness;

    @BeforeAll
    static void startStack() throws Exception {
        // a fresh stack every run: the checker compares everything the databases hold with this run's history
        if (Files.exists(DIR)) {
            try (Stream<Path> files = Files.walk(DIR)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
        harness = Harness.start(DIR.resolve("stack"), PARAMETERS);
    }

    @AfterAll
    static void stopStack() {
        Report.write(DIR, "./mvnw verify (FaultScenariosIT, seed " + PARAMETERS.seed() + ")", results);
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    @Order(1)
    void i1HotTaskReleasedUnderConcurrentWritersWhileAssignmentServiceIsKilled() throws Exception {
        play(new Scenarios.HotTaskUnderKill());
    }

    @Test
    @Order(2)
    void i2ConsumerKilledBetweenCommitAndOffsetCommitAppliesEverythingOnce() throws Exception {
        play(new Scenarios.ConsumerCrashAfterCommit());
    }

    @Test
    @Order(3)
    void i3CrashBetweenStateChangeAndOutboxRowNeverSeparatesThem() throws Exception {
        play(new Scenarios.CrashBetweenStateAndOutbox());
    }

    @Test
    @Order(4)
    void i4BrokerStoppedFrozenAndBlackHoledLeavesDispatchersUnaffected() throws Exception {
        play(new Scenarios.BrokerOutage());
    }

    @Test
    @Order(5)
    void i5PausedLeaseHolderIsFencedAndTheDriftRepairedOnce() throws Exception {
        play(new Scenarios.LeaseHolderPaused());
    }

    @Test
    @Order(6)
    void databaseFrozenAndHalfOpenEverythingResumesByItself() throws Exception {
        play(new Scenarios.DatabaseFreeze());
    }

    @Test
    @Order(7)
    void rollingRestartOfEveryProcessServesEveryRequest() throws Exception {
        play(new Scenarios.RollingRestart());
    }

    @Test
    @Order(8)
    void mixedChaosKeepsEveryInvariant() throws Exception {
        play(new Scenarios.MixedChaos());
    }

    /**
     * The checker can fail: a link deleted and a counter bumped behind the services' back, and an acknowledged
     * answer that the history contradicts, are each reported with the order or task as evidence. Restored after.
     */
    @Test
    @Order(9)
    void theCheckerReportsViolationsInjectedBehindTheServicesBack() {
        Probe probe = harness.probe;
        Checker checker = new Checker(probe);
        Map<String, Object> link = probe.query(
                        "assignments",
                        "SELECT order_id, task_id, order_status, order_version, linked_at FROM task_order_link LIMIT 1")
                .get(0);
        String order = (String) link.get("order_id");
        String task = (String) link.get("task_id");
        probe.update("assignments", "DELETE FROM task_order_link WHERE order_id = ?", order);
        try {
            Checker.Invariant links = checker.linksMatchOrders();
            Checker.Invariant counters = checker.countersMatchLinks();
            assertThat(links.passed()).isFalse();
            assertThat(links.evidence()).anyMatch(line -> line.startsWith(order + " "));
            assertThat(counters.passed()).isFalse();
            assertThat(counters.evidence()).anyMatch(line -> line.startsWith(task + ":"));
        } finally {
            probe.update(
                    "assignments",
                    "INSERT INTO task_order_link (order_id, task_id, order_status, order_version, linked_at, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
                    order,
                    task,
                    link.get("order_status"),
                    link.get("order_version"),
                    link.get("linked_at"));
        }
        assertThat(checker.linksMatchOrders().passed()).isTrue();
        assertThat(checker.countersMatchLinks().passed()).isTrue();

        String prefix = order.substring(0, order.indexOf('-'));
        History.Op lie = new History.Op(
                1, "pickup", order, "k-1", 1, 0, Instant.now(), 1, History.Outcome.OK, 200, 0L, "DELIVERING", "{}");
        Checker.Invariant once = checker.acknowledgedExactlyOnce(prefix, List.of(lie));
        assertThat(once.passed()).isFalse();
        assertThat(once.evidence()).anyMatch(line -> line.startsWith(order + ": pickup"));
    }

    private static void play(Scenario scenario) throws Exception {
        ScenarioResult result = harness.run(scenario, PARAMETERS, DIR);
        results.add(result);
        Report.write(DIR, "./mvnw verify (FaultScenariosIT, seed " + PARAMETERS.seed() + ")", results);
        assertThat(result.passed())
                .as("%s", Report.markdown(scenario.id(), List.of(result)))
                .isTrue();
    }
}
