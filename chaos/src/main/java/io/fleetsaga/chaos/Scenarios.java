package io.fleetsaga.chaos;

import io.fleetsaga.infra.ServiceProcess;
import io.fleetsaga.infra.TcpProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The named scenarios of the harness, one per incident and fault class (issue 10). */
final class Scenarios {

    private Scenarios() {}

    static List<Scenario> all() {
        return List.of(
                new HotTaskUnderKill(),
                new ConsumerCrashAfterCommit(),
                new CrashBetweenStateAndOutbox(),
                new BrokerOutage(),
                new LeaseHolderPaused(),
                new DatabaseFreeze(),
                new RollingRestart(),
                new MixedChaos());
    }

    static Scenario byId(String id) {
        return all().stream()
                .filter(s -> s.id().equals(id) || s.id().startsWith(id + "-"))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario " + id + "; known: "
                        + all().stream().map(Scenario::id).toList()));
    }

    // ---------------------------------------------------------------------------------------------------------- I-1

    /**
     * I-1: a hot task of ≥ 200 orders released at once — concurrent batch receipts raced by single receipts of the
     * same orders (forced optimistic-lock conflicts) — while an assignment-service instance is killed -9 and
     * restarted. Order writes that lose a race are retried with jittered exponential backoff, spaced as the policy
     * says (checked on the attempt times order-service logs).
     */
    static final class HotTaskUnderKill extends Scenario {

        HotTaskUnderKill() {
            super(
                    "i1-hot-task",
                    "I-1: hot task released under concurrent writers while assignment-service is killed -9");
        }

        public void run(RunContext ctx) throws Exception {
            int n = ctx.parameters.hotOrders();
            Workload hot = ctx.workload("h", ctx.parameters.seed() + 1, new Workload.Shape(1, 1, 0, 0, 0, 0));
            Random random = new Random(ctx.parameters.seed());
            String task = hot.createTask(ctx.prefix + "-hot", "c-hot", n + 50, random);
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(4, ctx.parameters.clients()));
            try {
                List<Workload.Tracked> orders = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    orders.add(hot.createOrder(random));
                }
                forEach(pool, orders, (o, r) -> hot.assign(o, task, r), random);
                boolean assigned = Probe.await(ctx.parameters.quiescence(), () -> {
                    orders.stream().filter(o -> !"ASSIGNED".equals(o.status)).forEach(hot::refresh);
                    return orders.stream().allMatch(o -> "ASSIGNED".equals(o.status));
                });
                ctx.measure(
                        "hotOrdersAssigned",
                        orders.stream().filter(o -> "ASSIGNED".equals(o.status)).count());
                if (!assigned) {
                    throw new IllegalStateException("the hot task's orders were not all assigned");
                }
                // the courier picks all of them up and cannot deliver any: batches of 50 (one request each)
                for (int from = 0; from < orders.size(); from += 50) {
                    hot.batch(orders.subList(from, Math.min(orders.size(), from + 50)), "PICK_UP", null, random);
                }
                for (int from = 0; from < orders.size(); from += 50) {
                    hot.batch(
                            orders.subList(from, Math.min(orders.size(), from + 50)),
                            "FAIL_DELIVERY",
                            "closed",
                            random);
                }
                Workload background = ctx.workload();
                background.start();
                ServiceProcess victim = ctx.harness.stack.assignmentServices().get(0);
                // the release: half of the held orders in 4 concurrent batches; each order of the other half by
                // two receipts sent at the same instant to both instances (forced optimistic-lock conflicts)
                List<Workload.Tracked> held =
                        orders.stream().filter(o -> "ON_HOLD".equals(o.status)).toList();
                Instant releaseStart = Instant.now();
                List<CompletableFuture<?>> release = new ArrayList<>();
                List<Workload.Tracked> batched = new ArrayList<>();
                List<Workload.Tracked> raced = new ArrayList<>();
                for (int i = 0; i < held.size(); i++) {
                    (i % 2 == 0 ? batched : raced).add(held.get(i));
                }
                int batches = 4;
                for (int b = 0; b < batches; b++) {
                    List<Workload.Tracked> slice = new ArrayList<>();
                    for (int i = b; i < batched.size(); i += batches) {
                        slice.add(batched.get(i));
                    }
                    for (int from = 0; from < slice.size(); from += 50) {
                        List<Workload.Tracked> batch = slice.subList(from, Math.min(slice.size(), from + 50));
                        long seed = random.nextLong();
                        release.add(CompletableFuture.runAsync(() -> hot.receive(batch, new Random(seed)), pool));
                    }
                }
                ExecutorService racers = Executors.newFixedThreadPool(2);
                for (Workload.Tracked o : raced) {
                    long seed = random.nextLong();
                    release.add(CompletableFuture.runAsync(() -> hot.race(o, "receipt", new Random(seed)), racers));
                }
                Duration resume = ctx.killAndRestart(victim, "assignment-service");
                release.forEach(CompletableFuture::join);
                ctx.measure(
                        "releaseSeconds",
                        Duration.between(releaseStart, Instant.now()).toMillis() / 1000.0);
                ctx.measure("consumerCatchUpAfterRestartSeconds", resume.toMillis() / 1000.0);
                ctx.phase(ctx.parameters.duration().dividedBy(2));
                background.stop();
                retriesSpacedByBackoff(ctx);
            } finally {
                pool.shutdownNow();
            }
        }

        private static void forEach(
                ExecutorService pool,
                List<Workload.Tracked> orders,
                java.util.function.BiConsumer<Workload.Tracked, Random> step,
                Random random) {
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (Workload.Tracked o : orders) {
                long seed = random.nextLong();
                all.add(CompletableFuture.runAsync(() -> step.accept(o, new Random(seed)), pool));
            }
            all.forEach(CompletableFuture::join);
        }

        /** order-service's log lines of a write that lost a race, and of its next attempt starting. */
        private static final Pattern RETRY = Pattern.compile(
                "^(\\S+)\\s+DEBUG.*?OrderWriteRetry\\s+:\\s+(.+?) (?:lost a race \\(attempt (\\d+)\\)|attempt (\\d+) starts)");

        /**
         * The attempt times of every order write that lost a race, from order-service's logs: the time from a lost
         * race to the next attempt must be spread like the policy's full-jitter delays (mean at least half the
         * policy's mean, none above its cap plus 1 s), and no write may take more attempts than the policy allows.
         */
        static void retriesSpacedByBackoff(RunContext ctx) {
            // write (instance + what) → attempt → [lost at, next started at]
            Map<String, Map<Integer, long[]>> writes = new LinkedHashMap<>();
            for (ServiceProcess s : ctx.harness.stack.orderServices()) {
                try {
                    for (String line : Files.readAllLines(s.log())) {
                        Matcher m = RETRY.matcher(line);
                        if (!m.find() || !m.group(2).contains(ctx.prefix)) {
                            continue;
                        }
                        long at = OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli();
                        Map<Integer, long[]> attempts =
                                writes.computeIfAbsent(s.port() + " " + m.group(2), k -> new TreeMap<>());
                        if (m.group(3) != null) {
                            attempts.computeIfAbsent(Integer.parseInt(m.group(3)), k -> new long[] {-1, -1})[0] = at;
                        } else {
                            attempts.computeIfAbsent(Integer.parseInt(m.group(4)) - 1, k -> new long[] {-1, -1})[1] =
                                    at;
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read " + s.log(), e);
                }
            }
            // write-retry defaults: 20 ms ×2 up to 500 ms, 5 attempts; full jitter: the mean delay is half the bound
            double expected = 0;
            double observed = 0;
            int gaps = 0;
            int maxAttempt = 0;
            List<String> evidence = new ArrayList<>();
            for (var write : writes.entrySet()) {
                for (var attempt : write.getValue().entrySet()) {
                    long[] times = attempt.getValue();
                    maxAttempt = Math.max(maxAttempt, attempt.getKey() + (times[1] >= 0 ? 1 : 0));
                    if (times[0] >= 0 && times[1] >= 0) {
                        double bound = Math.min(500, 20 * Math.pow(2, attempt.getKey() - 1));
                        long gap = times[1] - times[0];
                        expected += bound / 2;
                        observed += gap;
                        gaps++;
                        if (gap > bound + 1000 && evidence.size() < Checker.MAX_EVIDENCE) {
                            evidence.add(write.getKey() + ": " + gap + " ms before attempt " + (attempt.getKey() + 1)
                                    + " (bound " + Math.round(bound) + " ms)");
                        }
                    }
                }
            }
            ctx.measure("writesThatLostARace", writes.size());
            ctx.measure("retriesObserved", gaps);
            ctx.measure("meanRetryDelayMillis", gaps == 0 ? null : Math.round(observed / gaps));
            ctx.measure("meanPolicyDelayMillis", gaps == 0 ? null : Math.round(expected / gaps));
            if (gaps < 3) {
                evidence.add("only " + gaps + " retries observed: the scenario did not force enough conflicts");
            } else if (observed < 0.5 * expected) {
                evidence.add("retries came " + Math.round(observed / gaps) + " ms after the lost race on average, the"
                        + " policy's full jitter means ≈ " + Math.round(expected / gaps)
                        + " ms: a burst, not a backoff");
            }
            if (maxAttempt > 5) {
                evidence.add("a write was attempted " + maxAttempt + " times (policy: 5)");
            }
            ctx.invariant(
                    "retries-spaced-by-backoff",
                    "order writes that lose a race retry after a jittered exponential backoff, at most 5 attempts",
                    evidence);
        }
    }

    // ---------------------------------------------------------------------------------------------------------- I-2

    /**
     * I-2: assignment-service's consumers halt between their database commit and their offset commit (crash point
     * {@code inbox.after-commit}), again and again, on both instances, while the courier webhook is slow or failing
     * part of the time: every effect and every notification exactly once.
     */
    static final class ConsumerCrashAfterCommit extends Scenario {

        ConsumerCrashAfterCommit() {
            super(
                    "i2-consumer-crash",
                    "I-2: consumer killed between DB commit and offset commit, repeatedly; slow/failing courier webhook");
        }

        public void run(RunContext ctx) throws Exception {
            Workload workload = ctx.workload();
            workload.start();
            List<ServiceProcess> consumers = ctx.harness.stack.assignmentServices();
            for (ServiceProcess s : consumers) {
                ctx.supervise(s, "inbox.after-commit=0.05");
            }
            ctx.phaseUntil(ctx.parameters.duration(), () -> ctx.crashes() >= 2);
            workload.stop();
            // let the consumers work through what is left under the crash points, then end them
            Probe.await(Duration.ofSeconds(30), () -> ctx.harness.probe.lag("assignment-service") == 0);
            ctx.stopSupervising(consumers);
            ctx.measure(
                    "consumerCatchUpAfterRestartSeconds",
                    ctx.catchUp("assignment-service", Duration.ofMinutes(2)).toMillis() / 1000.0);
            crashesHappened(ctx, "the consumer really crashed between commit and offset commit (at least twice)");
        }
    }

    // ---------------------------------------------------------------------------------------------------------- I-3

    /**
     * I-3: order-service halts right after an order's row was changed and before its history and outbox rows are
     * written (crash point {@code order.after-state-change}), on both instances, under load.
     */
    static final class CrashBetweenStateAndOutbox extends Scenario {

        CrashBetweenStateAndOutbox() {
            super(
                    "i3-state-outbox-crash",
                    "I-3: crash between a state change and its outbox row; the two never separate");
        }

        public void run(RunContext ctx) throws Exception {
            Workload workload = ctx.workload();
            List<ServiceProcess> services = ctx.harness.stack.orderServices();
            for (ServiceProcess s : services) {
                ctx.supervise(s, "order.after-state-change=0.05");
            }
            workload.start();
            ctx.phaseUntil(ctx.parameters.duration(), () -> ctx.crashes() >= 2);
            workload.stop();
            ctx.stopSupervising(services);
            crashesHappened(
                    ctx, "order-service really crashed between a state change and its outbox row (at least twice)");
        }
    }

    /** The crash points fired at least twice: otherwise the scenario tested nothing. */
    static void crashesHappened(RunContext ctx, String promise) {
        int crashes = ctx.crashes();
        ctx.measure("crashPointsFired", crashes);
        boolean enough = crashes >= 2;
        ctx.invariant(
                "crashes-happened",
                promise,
                enough,
                enough ? 0 : 1,
                enough ? List.of() : List.of(crashes + " crash(es) only"));
    }

    // the faults several scenarios inject

    static void brokerStopped(RunContext ctx, Duration length) throws InterruptedException {
        var stack = ctx.harness.stack;
        ctx.fault(
                "broker stopped",
                "kafka",
                length,
                () -> stack.broker().stop(),
                () -> stack.broker().restart());
    }

    static void brokerFrozen(RunContext ctx, Duration length) throws InterruptedException {
        var stack = ctx.harness.stack;
        ctx.fault(
                "broker frozen (SIGSTOP)",
                "kafka",
                length,
                () -> stack.broker().pause(),
                () -> stack.broker().resume());
    }

    static void brokerBlackHoled(RunContext ctx, Duration length) throws InterruptedException {
        TcpProxy proxy = ctx.harness.stack.brokerProxy().orElseThrow();
        ctx.fault("broker black-holed", "kafka proxy", length, proxy::blackHole, proxy::restore);
    }

    static void databaseFrozen(RunContext ctx, Duration length) throws InterruptedException {
        var stack = ctx.harness.stack;
        ctx.fault(
                "database frozen (SIGSTOP)",
                "mariadb",
                length,
                () -> stack.database().pause(),
                () -> stack.database().resume());
    }

    // ---------------------------------------------------------------------------------------------------------- I-4

    /**
     * I-4: the broker stopped, then frozen, then black-holed by the proxy, under steady load. Nothing a dispatcher
     * does fails or slows, nothing is parked, no saga is compensated, the backlog drains, and every consumer resumes
     * without a restart.
     */
    static final class BrokerOutage extends Scenario {

        BrokerOutage() {
            super("i4-broker-outage", "I-4: broker stopped / frozen / black-holed under steady load");
        }

        public void run(RunContext ctx) throws Exception {
            var stack = ctx.harness.stack;
            Map<String, Long> pids = pids(stack.services());
            Workload workload = ctx.workload();
            workload.start();
            Duration calm = ctx.parameters.duration().dividedBy(2);
            Duration stop = ctx.parameters.outage();
            Duration other = stop.compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5) : stop;
            ctx.phase(calm);
            brokerStopped(ctx, stop);
            ctx.phase(calm);
            brokerFrozen(ctx, other);
            ctx.phase(calm);
            brokerBlackHoled(ctx, other);
            ctx.phase(calm);
            workload.stop();
            List<String> evidence = new ArrayList<>();
            for (History.Fault f : ctx.history.faults()) {
                ScenarioResult.Latency before = ScenarioResult.latency(
                        ctx.history.ops(), f.start().minus(ScenarioResult.window(ctx.parameters)), f.start());
                ScenarioResult.Latency during = ScenarioResult.latency(ctx.history.ops(), f.start(), f.end());
                long failed = ctx.history.ops().stream()
                        .filter(o -> !o.invokedAt().isBefore(f.start())
                                && o.invokedAt().isBefore(f.end()))
                        .filter(o -> o.outcome() == History.Outcome.FAILED || o.outcome() == History.Outcome.UNKNOWN)
                        .count();
                if (failed > 0) {
                    evidence.add(f.name() + ": " + failed + " dispatcher call(s) failed");
                }
                if (before.p99Millis() != null && during.p99Millis() != null) {
                    long bound = Math.round(1.5 * Math.max(before.p99Millis(), 100));
                    if (during.p99Millis() > bound) {
                        evidence.add(f.name() + ": p99 " + during.p99Millis() + " ms during, " + before.p99Millis()
                                + " ms before (bound " + bound + " ms)");
                    }
                }
            }
            ctx.invariant(
                    "dispatchers-unaffected",
                    "no dispatcher call fails during the outage; p99 during ≤ 1.5× p99 before (floor 100 ms)",
                    evidence);
            // judged once the backlog has drained: a saga gives up only after its last attempt's deadline
            ctx.afterQuiescence(() -> {
                // a saga that gave up (no reply) was undone by the outage; a refusal (TASK_FULL …) is business, counted
                // apart
                long gaveUp = ctx.harness.probe.count(
                        "orders",
                        "SELECT COUNT(*) FROM assignment_saga WHERE status = 'STUCK' AND order_id LIKE ?",
                        ctx.prefix + "-%");
                long compensatedByNoReply = ctx.harness.probe.count(
                        "orders",
                        "SELECT COUNT(*) FROM order_history WHERE action = 'COMPENSATE_ASSIGNMENT' AND order_id LIKE ?"
                                + " AND reason LIKE 'no reply%'",
                        ctx.prefix + "-%");
                ctx.measure(
                        "assignmentsRefused",
                        ctx.harness.probe.count(
                                "orders",
                                "SELECT COUNT(*) FROM assignment_saga WHERE status = 'COMPENSATED' AND order_id LIKE ?"
                                        + " AND reason NOT LIKE 'order cancelled%'",
                                ctx.prefix + "-%"));
                ctx.invariant(
                        "no-saga-compensated",
                        "no saga gives up or is compensated for want of a reply because of the outage",
                        gaveUp + compensatedByNoReply == 0,
                        gaveUp + compensatedByNoReply,
                        gaveUp + compensatedByNoReply == 0
                                ? List.of()
                                : List.of(gaveUp + " saga(s) gave up, " + compensatedByNoReply
                                        + " order(s) compensated for want of a reply"));
            });
            consumersNotRestarted(ctx, pids);
        }
    }

    static Map<String, Long> pids(List<ServiceProcess> services) {
        Map<String, Long> pids = new HashMap<>();
        services.forEach(s -> pids.put(RunContext.target(s), s.pid()));
        return pids;
    }

    /** The services now run as the same processes as at {@code before}: nobody had to restart anything. */
    static void consumersNotRestarted(RunContext ctx, Map<String, Long> before) {
        List<String> evidence = new ArrayList<>();
        for (ServiceProcess s : ctx.harness.stack.services()) {
            if (!s.isAlive() || s.pid() != before.get(RunContext.target(s))) {
                evidence.add(RunContext.target(s) + " was restarted or died");
            }
        }
        boolean caughtUp = Probe.await(
                ctx.parameters.quiescence(),
                () -> ctx.harness.probe.lag("assignment-service") == 0 && ctx.harness.probe.lag("order-service") == 0);
        if (!caughtUp) {
            evidence.add("consumers did not catch up within " + ctx.parameters.quiescence());
        }
        ctx.invariant(
                "consumers-resume-without-restart", "every consumer resumes by itself, no process restarted", evidence);
    }

    // ---------------------------------------------------------------------------------------------------------- I-5

    /**
     * I-5: the instance holding the reconciliation lease is frozen (SIGSTOP) in the middle of a REPAIR run until its
     * lease expired, the other instance takes the lease and repairs, then the first one continues: it must notice
     * that it lost the lease and write nothing; the drift is repaired exactly once.
     */
    static final class LeaseHolderPaused extends Scenario {

        LeaseHolderPaused() {
            super(
                    "i5-lease-pause",
                    "I-5: reconciliation lease holder paused past expiry and resumed; stale writes fenced");
        }

        public void run(RunContext ctx) throws Exception {
            var stack = ctx.harness.stack;
            Probe probe = ctx.harness.probe;
            Workload workload = ctx.workload();
            workload.start();
            ctx.phase(ctx.parameters.duration().dividedBy(2));
            // drift for the repair to act on: a counter off by 7 (only a fenced recompute may fix it)
            String task = workload.taskIds().get(0);
            probe.update(
                    "assignments", "UPDATE assignment_task SET assigned_count = assigned_count + 7 WHERE id = ?", task);
            Duration ttl = ctx.parameters.compressed() ? Duration.ofSeconds(3) : Duration.ofSeconds(30);
            ServiceProcess first = stack.orderServices().get(0);
            ServiceProcess second = stack.orderServices().get(1);
            long firstRun = -1;
            boolean pausedMidRun = false;
            for (int attempt = 0; attempt < 5 && !pausedMidRun; attempt++) {
                Api.Answer started = ctx.api.ops(
                        first.port(), "/api/ops/reconciliation/runs", "{\"mode\":\"REPAIR\",\"method\":\"FULL_SCAN\"}");
                if (started.status() != 202) {
                    throw new IllegalStateException("cannot start a run: " + started.status() + " " + started.body());
                }
                firstRun = started.json().get("id").asLong();
                long runId = firstRun;
                // a row-by-row run (pages of 5 orders) is under way for many seconds: freeze its holder in it
                Probe.await(
                        Duration.ofSeconds(10),
                        () -> probe.count("orders", "SELECT COUNT(*) FROM reconciliation_run WHERE id = ?", runId) > 0);
                first.pause();
                pausedMidRun = "RUNNING"
                        .equals(probe.query("orders", "SELECT status FROM reconciliation_run WHERE id = ?", runId)
                                .get(0)
                                .get("status"));
                if (!pausedMidRun) {
                    first.resume();
                }
            }
            if (!pausedMidRun) {
                throw new IllegalStateException("no run of " + first.port() + " could be paused while running");
            }
            int fault = ctx.history.faultStarted(
                    "SIGSTOP (lease holder, mid-run)",
                    RunContext.target(first),
                    "run " + firstRun + ", lease ttl " + ttl);
            Thread.sleep(ttl.multipliedBy(2).plusSeconds(1).toMillis()); // past the lease's expiry
            long secondRun = -1;
            boolean secondStarted = Probe.await(
                    ttl.multipliedBy(4),
                    () -> ctx.api
                                    .ops(
                                            second.port(),
                                            "/api/ops/reconciliation/runs",
                                            "{\"mode\":\"REPAIR\",\"method\":\"DIGEST\"}")
                                    .status()
                            == 202);
            if (secondStarted) {
                secondRun = probe.count("orders", "SELECT MAX(id) FROM reconciliation_run");
                awaitRunEnded(probe, secondRun);
            }
            first.resume();
            ctx.history.faultEnded(fault);
            long stale = firstRun;
            awaitRunEnded(probe, stale);
            workload.stop();
            var runs = probe.query(
                    "orders",
                    "SELECT id, instance, status, repairs_published, repairs_recomputed, repairs_failed, error,"
                            + " started_at, finished_at FROM reconciliation_run WHERE id IN (?, ?)",
                    firstRun,
                    secondRun);
            ctx.measure("runs", runs.toString());
            List<String> evidence = new ArrayList<>();
            Map<String, Object> staleRow = runs.stream()
                    .filter(r -> (Long) r.get("id") == stale)
                    .findFirst()
                    .orElseThrow();
            Map<String, Object> newRow = runs.stream()
                    .filter(r -> (Long) r.get("id") != stale)
                    .findFirst()
                    .orElse(null);
            if (!secondStarted || newRow == null) {
                evidence.add("the second instance never got the lease after the holder froze");
            } else if (!"COMPLETED".equals(newRow.get("status")) || (Long) newRow.get("repairs_recomputed") < 1) {
                evidence.add("the new holder's run did not complete its repair: " + newRow);
            }
            if ("COMPLETED".equals(staleRow.get("status"))
                    || (Long) staleRow.get("repairs_recomputed") + (Long) staleRow.get("repairs_published") > 0) {
                evidence.add("the stale holder's run went on after its lease expired: " + staleRow);
            }
            ctx.invariant(
                    "stale-lease-holder-fenced",
                    "one holder acts: the paused holder's run stops without writing, the new holder repairs",
                    evidence);
        }
    }

    /** Waits (at most 3 min) until reconciliation run {@code id} is no longer RUNNING. */
    private static void awaitRunEnded(Probe probe, long id) {
        Probe.await(
                Duration.ofMinutes(3),
                () -> probe.count(
                                "orders",
                                "SELECT COUNT(*) FROM reconciliation_run WHERE id = ? AND status <> 'RUNNING'",
                                id)
                        > 0);
    }

    // ---------------------------------------------------------------------------------------------------------- 6

    /** The database frozen for 30 s, then every connection half-open (black-holed) for 15 s (30 s with default settings): all resumes by itself. */
    static final class DatabaseFreeze extends Scenario {

        DatabaseFreeze() {
            super(
                    "s6-database-freeze",
                    "Database frozen 30 s, then half-open connections (15 s short, 30 s long); everything resumes by itself");
        }

        public void run(RunContext ctx) throws Exception {
            var stack = ctx.harness.stack;
            Map<String, Long> pids = pids(stack.services());
            Workload workload = ctx.workload();
            workload.start();
            Duration calm = ctx.parameters.duration().dividedBy(2);
            TcpProxy proxy = stack.databaseProxy().orElseThrow();
            ctx.phase(calm);
            databaseFrozen(ctx, Duration.ofSeconds(30));
            ctx.phase(calm);
            Duration halfOpen = ctx.parameters.compressed() ? Duration.ofSeconds(15) : Duration.ofSeconds(30);
            Instant restored = Instant.now().plus(halfOpen);
            ctx.fault(
                    "database connections half-open (black hole)",
                    "mariadb proxy",
                    halfOpen,
                    proxy::blackHole,
                    proxy::restore);
            // every instance must answer writes again by itself
            List<String> evidence = new ArrayList<>();
            for (ServiceProcess s : stack.orderServices()) {
                Supplier<Optional<Instant>> firstWrite = () -> ctx.history.ops().stream()
                        .filter(o -> o.instance() == s.port()
                                && o.outcome() == History.Outcome.OK
                                && o.invokedAt().isAfter(restored))
                        .map(History.Op::invokedAt)
                        .min(Instant::compareTo);
                if (!Probe.await(Duration.ofSeconds(120), () -> firstWrite.get().isPresent())) {
                    evidence.add(RunContext.target(s) + " answered no write in 120 s after the network healed");
                } else {
                    ctx.measure(
                            "firstWriteAfterHealing " + RunContext.target(s),
                            Duration.between(restored, firstWrite.get().orElseThrow())
                                                    .toMillis()
                                            / 1000.0 + " s");
                }
            }
            ctx.phase(calm);
            workload.stop();
            ctx.invariant(
                    "writes-resume-by-themselves",
                    "every order-service instance answers writes again, unaided",
                    evidence);
            consumersNotRestarted(ctx, pids);
        }
    }

    // ---------------------------------------------------------------------------------------------------------- 7

    /** Every process restarted gracefully, one at a time, under load — what a deploy does. */
    static final class RollingRestart extends Scenario {

        RollingRestart() {
            super("s7-rolling-restart", "Rolling restart of every process, one at a time, under load");
        }

        public void run(RunContext ctx) throws Exception {
            var stack = ctx.harness.stack;
            Workload workload = ctx.workload();
            workload.start();
            ctx.phase(ctx.parameters.duration().dividedBy(4));
            for (ServiceProcess s : stack.services()) {
                int f = ctx.history.faultStarted("graceful restart", RunContext.target(s), "SIGTERM, start, ready");
                s.relaunch().awaitReady(Duration.ofMinutes(3));
                ctx.history.faultEnded(f);
            }
            int f = ctx.history.faultStarted("graceful restart", "kafka", "controlled shutdown, start");
            stack.broker().restart();
            ctx.history.faultEnded(f);
            f = ctx.history.faultStarted("graceful restart", "mariadb", "shutdown, start on its data");
            stack.restartDatabase(false);
            ctx.history.faultEnded(f);
            ctx.phase(ctx.parameters.duration().dividedBy(4));
            workload.stop();
            everyRequestServed(ctx);
        }
    }

    /** Every logical request (one idempotency key) ended acknowledged or definitely rejected — none left failing. */
    static void everyRequestServed(RunContext ctx) {
        Map<String, History.Outcome> last = new HashMap<>();
        for (History.Op op : ctx.history.ops()) {
            if (op.key() != null && !op.kind().startsWith("item:")) {
                last.merge(op.key(), op.outcome(), (a, b) -> a == History.Outcome.OK ? a : b);
            }
        }
        List<String> evidence = new ArrayList<>();
        last.forEach((key, outcome) -> {
            if (outcome == History.Outcome.FAILED || outcome == History.Outcome.UNKNOWN) {
                if (evidence.size() < Checker.MAX_EVIDENCE) {
                    evidence.add("request " + key + " ended " + outcome);
                }
            }
        });
        long unserved = last.values().stream()
                .filter(o -> o == History.Outcome.FAILED || o == History.Outcome.UNKNOWN)
                .count();
        ctx.measure("requests", last.size());
        ctx.invariant(
                "every-request-served",
                "every dispatcher request (retried by the client with its key) was answered: acknowledged or refused",
                unserved == 0,
                unserved,
                evidence);
    }

    // ---------------------------------------------------------------------------------------------------------- 8

    /** Random faults of every kind above, one after another, under load; reproducible per seed. */
    static final class MixedChaos extends Scenario {

        MixedChaos() {
            super("s8-mixed-chaos", "Mixed chaos: random faults (kill, pause, broker, database, network) under load");
        }

        public void run(RunContext ctx) throws Exception {
            var stack = ctx.harness.stack;
            Workload workload = ctx.workload();
            workload.start();
            Random random = new Random(ctx.parameters.seed() * 7919);
            Instant end = Instant.now().plus(ctx.parameters.duration().multipliedBy(2));
            while (Instant.now().isBefore(end)) {
                ctx.phase(Duration.ofMillis(2000 + random.nextInt(3000)));
                List<ServiceProcess> services = stack.services();
                ServiceProcess victim = services.get(random.nextInt(services.size()));
                Duration length = Duration.ofSeconds(3 + random.nextInt(8));
                switch (random.nextInt(7)) {
                    case 0 -> ctx.killAndRestart(victim, victim.name());
                    case 1 -> ctx.fault("SIGSTOP", RunContext.target(victim), length, victim::pause, victim::resume);
                    case 2 -> brokerStopped(ctx, length);
                    case 3 -> brokerFrozen(ctx, length);
                    case 4 -> brokerBlackHoled(ctx, length);
                    case 5 -> databaseFrozen(ctx, length);
                    default ->
                        ctx.fault(
                                "database network +300 ms",
                                "mariadb proxy",
                                length,
                                () -> stack.databaseProxy().orElseThrow().delay(Duration.ofMillis(300)),
                                stack.databaseProxy().orElseThrow()::restore);
                }
            }
            ctx.phase(Duration.ofSeconds(3));
            workload.stop();
        }
    }
}
