package io.fleetsaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetsaga.infra.RealInfrastructure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The ops console (issue 5) in a real headless Chromium, driven by Selenium, against both services as real
 * processes: sign in as ops (and fail to with a wrong password or without role OPS), find an order with its saga
 * and open its task (through order-service's pass-through to assignment-service), start a dry run and read the
 * injected drift with the affected order, re-queue a parked outbox event of each service, replay a dead letter of each
 * service, read the listener health
 * of both.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} ({@code /usr/bin/chromedriver}); skipped without
 * them unless {@code FLEETSAGA_REQUIRE_BROWSER=true} (CI), which fails instead. {@code FLEETSAGA_SCREENSHOT=true}
 * saves the reconciliation view to {@code docs/console.png}.
 */
class OpsConsoleIT {

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String CREDENTIALS_KEY = "fleetsaga.console.credentials";
    private static final Duration PAGE_WAIT = Duration.ofSeconds(20);
    private static final Duration RUN_WAIT = Duration.ofSeconds(90);

    static SystemStack stack;
    static Workflow flow;
    static WebDriver browser;

    /** On a failure: what the browser showed, in target/browser/ (a screenshot and the page's DOM). */
    @RegisterExtension
    final TestWatcher evidence = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (browser == null) {
                return;
            }
            try {
                Path dir = Files.createDirectories(Path.of("target", "browser"));
                String name = context.getRequiredTestMethod().getName();
                Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
                Files.writeString(dir.resolve(name + ".html"), browser.getPageSource(), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    };

    @BeforeAll
    static void start() {
        boolean installed = Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
        if (!installed && "true".equalsIgnoreCase(System.getenv("FLEETSAGA_REQUIRE_BROWSER"))) {
            fail("FLEETSAGA_REQUIRE_BROWSER=true but " + CHROMEDRIVER + " or " + CHROMIUM + " is missing; install"
                    + " them with: apt-get install -y chromium chromium-driver (Debian; .ci/run does this)");
        }
        assumeTrue(
                installed,
                "no " + CHROMEDRIVER + " / " + CHROMIUM
                        + ": the browser test is skipped (apt-get install -y chromium chromium-driver)");
        stack = SystemStack.start(Map.of(), Map.of("fleetsaga.reconciliation.grace-period", "1s"), 1);
        flow = new Workflow(stack);
        browser = chromium();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aWrongPasswordOrAUserWithoutRoleOpsGetsAClearMessageAndTheFormAgain() {
        signIn(SystemStack.OPS, "not-the-password");

        WebElement message = waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("login-message")));
        assertThat(message.getText()).contains("Wrong user or password");
        assertThat(browser.findElement(By.id("login-form")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
        assertThat(script("return sessionStorage.getItem('" + CREDENTIALS_KEY + "')"))
                .isNull();

        signIn(SystemStack.DISPATCHER, SystemStack.PASSWORD);

        waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("login-message"), "needs role OPS"));
        assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
    }

    @Test
    void showsAnOrderWithItsSagaAndOpensItsTaskThroughOrderService() {
        String taskId = flow.task(5);
        String orderId = flow.assignedOrder(taskId);
        signInAsOps();

        open("orders");
        type(By.id("order-id"), orderId);
        browser.findElement(By.cssSelector("#order-search button")).click();

        waitFor(ExpectedConditions.textToBe(By.cssSelector("#order-result [data-field='status']"), "ASSIGNED"));
        assertThat(field("#order-result", "taskId")).isEqualTo(taskId);
        assertThat(field("#order-result", "version")).isEqualTo("2");
        assertThat(field("#order-result", "sagaStatus")).isEqualTo("CONFIRMED");
        assertThat(browser.findElements(By.cssSelector("#order-result tbody tr")))
                .hasSize(3); // created, assignment pending, assigned

        // the task's real-time overview comes from assignment-service, through order-service's pass-through
        browser.findElement(By.cssSelector("#order-result [data-field='taskId'] a"))
                .click();
        WebElement order = waitFor(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#task-result tr[data-order-id='" + orderId + "']")));
        assertThat(order.getText()).contains("ASSIGNED");
        assertThat(field("#task-result", "assignedCount")).isEqualTo("1 / 5");
        assertThat(browser.getCurrentUrl())
                .startsWith(stack.orderService.uri("/console/").toString());
    }

    @Test
    void startsADryRunAndShowsTheDriftByTypeWithTheAffectedOrder() throws Exception {
        String taskId = flow.task(5);
        String stale = flow.assignedOrder(taskId);
        String untouched = flow.assignedOrder(taskId);
        assertThat(flow.step(stale, "pickup").statusCode()).isEqualTo(200);
        String db = stack.assignmentsDb;
        await().atMost(Duration.ofSeconds(60))
                .until(() -> SystemStack.count(
                                db,
                                "SELECT COUNT(*) FROM task_order_link"
                                        + " WHERE order_id = ? AND order_status = 'DELIVERING'",
                                stale)
                        == 1);
        // stale status, as in ReconciliationIT: the link still shows ASSIGNED, one version back
        assertThat(SystemStack.update(
                        db,
                        "UPDATE task_order_link SET order_status = 'ASSIGNED', order_version = order_version - 1"
                                + " WHERE order_id = ? AND order_status = 'DELIVERING'",
                        stale))
                .isOne();
        long before = SystemStack.count(stack.ordersDb, "SELECT COALESCE(MAX(id), 0) FROM reconciliation_run");
        signInAsOps();

        open("reconciliation");
        browser.findElement(By.id("run-dry")).click();

        WebElement report = new WebDriverWait(browser, RUN_WAIT)
                .pollingEvery(Duration.ofMillis(200))
                .until(runFinishedAfter(before));
        assertThat(report.getDomAttribute("data-status")).isEqualTo("COMPLETED");
        long runId = Long.parseLong(report.getDomAttribute("data-run-id"));
        assertThat(browser.findElement(By.id("run-message")).getText()).contains("run #" + runId);
        WebElement staleRow = waitFor(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#run-report tr[data-drift-type='STALE_STATUS']")));
        waitFor(ExpectedConditions.textToBePresentInElement(staleRow, stale));
        assertThat(staleRow.findElement(By.cssSelector("td.count")).getText()).isEqualTo("1");
        assertThat(report.getText()).doesNotContain(untouched);
        waitFor(ExpectedConditions.attributeToBe(
                By.cssSelector("#runs tr[data-run-id='" + runId + "']"), "data-status", "COMPLETED"));
        screenshotForTheDocs();

        // the affected order is a link to the order itself: DELIVERING in order-service
        staleRow.findElement(By.linkText(stale)).click();
        waitFor(ExpectedConditions.textToBe(By.cssSelector("#order-result [data-field='status']"), "DELIVERING"));
    }

    @Test
    void requeuesAParkedOutboxEventOfEachServiceFromTheConsole() {
        String orderId = flow.assignedOrder(flow.task(5));
        String orderEvent = parkNewestSentEvent(stack.ordersDb, orderId);
        String assignmentEvent = parkNewestSentEvent(stack.assignmentsDb, orderId);
        signInAsOps();

        open("outbox");
        for (Map.Entry<String, String> parked : Map.of(
                        "order-service", orderEvent,
                        "assignment-service", assignmentEvent)
                .entrySet()) {
            By row = By.cssSelector(
                    ".outbox[data-service='" + parked.getKey() + "'] tr[data-event-id='" + parked.getValue() + "']");
            WebElement shown = waitFor(ExpectedConditions.visibilityOfElementLocated(row));
            assertThat(shown.getText()).contains("test: parked by OpsConsoleIT");
            shown.findElement(By.cssSelector("button.requeue")).click();

            waitFor(ExpectedConditions.textToBePresentInElementLocated(
                    By.id("notice"), "Re-queued event " + parked.getValue() + " in " + parked.getKey()));
            waitFor(ExpectedConditions.numberOfElementsToBe(row, 0));
        }

        for (String[] event : List.of(
                new String[] {stack.ordersDb, orderEvent}, new String[] {stack.assignmentsDb, assignmentEvent})) {
            // back in line, then published again by the relay (the consumers' inbox skips the duplicate)
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(SystemStack.query(
                                    event[0],
                                    "SELECT status, parked_at FROM outbox_event WHERE event_id = ?",
                                    event[1]))
                            .singleElement()
                            .satisfies(row -> {
                                assertThat(row.get("status")).isEqualTo("SENT");
                                assertThat(row.get("parked_at")).isNull();
                            }));
        }
    }

    /** Issue 9: the relay lanes are shown, and parked events are requeued in bulk by their failure reason. */
    @Test
    void showsTheRelayLanesAndRequeuesParkedEventsInBulkByReason() {
        String reason = "test-reason-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String event = parkNewestSentEvent(stack.ordersDb, flow.assignedOrder(flow.task(5)));
            SystemStack.update(
                    stack.ordersDb,
                    "UPDATE outbox_event SET failure_kind = 'RECORD', failure_reason = ? WHERE event_id = ?",
                    reason,
                    event);
            events.add(event);
        }
        signInAsOps();

        open("outbox");
        WebElement lane = waitFor(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".outbox[data-service='order-service'] tr[data-lane='kafka']")));
        assertThat(lane.findElement(By.cssSelector("[data-field='laneStatus']")).getText())
                .contains("UP");
        assertThat(waitFor(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(
                                ".outbox[data-service='order-service'] tr[data-event-id='" + events.get(0) + "']")))
                        .findElement(By.cssSelector("[data-field='reason']"))
                        .getText())
                .contains(reason);
        browser.findElement(By.cssSelector(
                        ".outbox[data-service='order-service'] button.requeue-reason[data-reason='" + reason + "']"))
                .click();

        waitFor(ExpectedConditions.textToBePresentInElementLocated(
                By.id("notice"), "Requeue all \"" + reason + "\" in order-service: re-queued 2 events."));
        for (String event : events) {
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(SystemStack.query(
                                    stack.ordersDb, "SELECT status FROM outbox_event WHERE event_id = ?", event))
                            .singleElement()
                            .satisfies(row -> assertThat(row.get("status")).isEqualTo("SENT")));
        }
    }

    @Test
    void showsTheDeadLettersOfEachServiceWithTheirErrorAndReplaysOneFromTheConsole() throws Exception {
        // an unreadable record on the topic each service consumes: dead-lettered at once
        Map<String, String> keys = Map.of(
                "order-service", "dlt-" + UUID.randomUUID(),
                "assignment-service", "dlt-" + UUID.randomUUID());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        RealInfrastructure.get().kafka().bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            "fleet.assignment.events",
                            keys.get("order-service"),
                            "<script>alert(1)</script> not an envelope".getBytes(StandardCharsets.UTF_8)))
                    .get();
            producer.send(new ProducerRecord<>(
                            "fleet.order.events",
                            keys.get("assignment-service"),
                            "{not an envelope".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        signInAsOps();

        open("dead-letters");
        for (Map.Entry<String, String> letter : keys.entrySet()) {
            By row = By.cssSelector(
                    ".dead-letters[data-service='" + letter.getKey() + "'] tr[data-key='" + letter.getValue() + "']");
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                browser.findElement(By.id("dead-letters-refresh")).click();
                return waitFor(ExpectedConditions.visibilityOfElementLocated(row)) != null;
            });
            // the panel is re-rendered by every load: read and click the row as it is at that moment
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                String text = browser.findElement(row).getText();
                assertThat(text).contains("MalformedEventException").contains("PENDING");
                if (letter.getKey().equals("order-service")) {
                    assertThat(text).as("shown as text, not run").contains("<script>alert(1)</script>");
                }
            });
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                browser.findElement(row)
                        .findElement(By.cssSelector("button.replay"))
                        .click();
                return true;
            });

            waitFor(ExpectedConditions.textToBePresentInElementLocated(
                    By.id("notice"), " in " + letter.getKey() + " to "));
            assertThat(browser.findElement(By.id("notice")).getText()).startsWith("Replayed ");
            // the replayed one is marked; its copy fails again and comes back as a new dead letter
            waitFor(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector(".dead-letters[data-service='" + letter.getKey() + "']"), "REPLAYED"));
        }
    }

    @Test
    void showsTheListenerHealthOfBothServices() {
        signInAsOps();

        open("health");

        for (String service : List.of("order-service", "assignment-service")) {
            List<WebElement> listeners = waitFor(ExpectedConditions.numberOfElementsToBeMoreThan(
                    By.cssSelector(".health[data-service='" + service + "'] tr[data-listener]"), 0));
            assertThat(listeners)
                    .as(service)
                    .allSatisfy(listener ->
                            assertThat(listener.getDomAttribute("data-status")).isEqualTo("UP"));
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--window-size=1440,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /** Opens the console with an empty session and submits the sign-in form. */
    private static void signIn(String user, String password) {
        browser.get(stack.orderService.uri("/console/").toString());
        script("sessionStorage.clear()");
        browser.get(stack.orderService.uri("/console/").toString());
        waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        type(By.id("login-user"), user);
        type(By.id("login-password"), password);
        browser.findElement(By.id("login-submit")).click();
    }

    private static void signInAsOps() {
        signIn(SystemStack.OPS, SystemStack.PASSWORD);
        waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
        assertThat(browser.findElement(By.id("whoami")).getText()).isEqualTo(SystemStack.OPS);
    }

    /** Clicks a tab. */
    private static void open(String view) {
        browser.findElement(By.cssSelector("#tabs a[data-view='" + view + "']")).click();
        waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("view-" + view)));
    }

    private static void type(By input, String text) {
        WebElement element = browser.findElement(input);
        element.clear();
        element.sendKeys(text);
    }

    private static String field(String container, String name) {
        return browser.findElement(By.cssSelector(container + " [data-field='" + name + "']"))
                .getText();
    }

    private static Object script(String javascript) {
        return ((JavascriptExecutor) browser).executeScript(javascript);
    }

    private static <T> T waitFor(ExpectedCondition<T> condition) {
        return new WebDriverWait(browser, PAGE_WAIT)
                .pollingEvery(Duration.ofMillis(100))
                .until(condition);
    }

    /** The report panel once it shows a run newer than {@code runId} that is no longer RUNNING. */
    private static ExpectedCondition<WebElement> runFinishedAfter(long runId) {
        return driver -> {
            WebElement report = driver.findElement(By.id("run-report"));
            String id = report.getDomAttribute("data-run-id");
            String status = report.getDomAttribute("data-status");
            boolean finished = id != null && Long.parseLong(id) > runId && status != null && !status.equals("RUNNING");
            return finished ? report : null;
        };
    }

    /**
     * Parks the newest sent outbox row of {@code aggregateId} in {@code schema}, as the relay would after its last
     * attempt; returns its event id.
     */
    private static String parkNewestSentEvent(String schema, String aggregateId) {
        String[] eventId = new String[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<Map<String, Object>> rows = SystemStack.query(
                    schema,
                    "SELECT event_id FROM outbox_event WHERE aggregate_id = ? AND status = 'SENT' ORDER BY id DESC"
                            + " LIMIT 1",
                    aggregateId);
            eventId[0] = rows.isEmpty() ? null : (String) rows.get(0).get("event_id");
            return eventId[0] != null;
        });
        assertThat(SystemStack.update(
                        schema,
                        "UPDATE outbox_event SET status = 'PARKED', parked_at = UTC_TIMESTAMP(6),"
                                + " last_error = 'test: parked by OpsConsoleIT' WHERE event_id = ? AND status = 'SENT'",
                        eventId[0]))
                .isOne();
        return eventId[0];
    }

    /** With FLEETSAGA_SCREENSHOT=true: the reconciliation view as docs/console.png (for README and docs). */
    private static void screenshotForTheDocs() throws IOException {
        if (!"true".equalsIgnoreCase(System.getenv("FLEETSAGA_SCREENSHOT"))) {
            return;
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docs")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "no project root (with mvnw and docs/) above " + Path.of("").toAbsolutePath());
        }
        Path png = dir.resolve("docs").resolve("console.png");
        Files.write(png, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        System.out.println("console screenshot: " + png);
    }
}
