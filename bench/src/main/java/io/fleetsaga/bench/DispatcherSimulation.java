package io.fleetsaga.bench;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CoreDsl;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Dispatchers changing order statuses over HTTP ({@code POST /api/orders/{id}/pickup} and so on, see {@link
 * OrderPool}), as user {@code dispatcher} with HTTP Basic, without {@code If-Match} (the state machine alone decides).
 * Gatling instantiates this class itself, so the benchmark hands it the {@link Plan} of one step through {@link
 * #plan} before each run; {@link Plan#window} is called right before the first user starts and right after the last
 * one ended, so that the benchmark measures the pipeline over exactly the load's window.
 *
 * <ul>
 *   <li><b>closed</b> model: {@link Plan#clients} users at once, each changing one order after the other for {@link
 *       Plan#duration};
 *   <li><b>open</b> model: {@link Plan#ratePerSecond} new users per second for {@link Plan#duration}, each changing
 *       one order (connections shared between users, as a pool).
 * </ul>
 */
public final class DispatcherSimulation extends Simulation {

    /** What one Gatling run does. */
    record Plan(
            String baseUrl,
            String user,
            String password,
            OrderPool pool,
            boolean open,
            int clients,
            double ratePerSecond,
            Duration duration,
            Window window,
            ConcurrentLinkedQueue<long[]> latencies) {

        Plan {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(window, "window");
        }
    }

    /** Called by Gatling's {@code before} and {@code after} hooks. */
    interface Window {
        void opened();

        void closed();
    }

    /** The plan of the next run: set by the benchmark, read when Gatling creates the simulation. */
    static volatile Plan plan;

    private final Plan current = Objects.requireNonNull(plan, "no plan set");

    public DispatcherSimulation() {
        HttpProtocolBuilder protocol = http.baseUrl(current.baseUrl())
                .basicAuth(current.user(), current.password())
                .acceptHeader("application/json")
                .contentTypeHeader("application/json");
        if (current.open()) {
            protocol = protocol.shareConnections();
        }
        ChainBuilder change = CoreDsl.exec(this::takeOrder)
                .doIf(session -> session.contains("orderId"))
                .then(CoreDsl.doIfOrElse(session -> !session.getString("body").isEmpty())
                        .then(CoreDsl.exec(http("#{action}")
                                .post("/api/orders/#{orderId}/#{action}")
                                .body(CoreDsl.StringBody("#{body}"))
                                .check(status().saveAs("code"))
                                .check(status().in(200, 202, 409))
                                .check(responseTimeInMillis().saveAs("rt"))
                                .check(jsonPath("$.currentStatus").optional().saveAs("current"))))
                        .orElse(CoreDsl.exec(http("#{action}")
                                .post("/api/orders/#{orderId}/#{action}")
                                .check(status().saveAs("code"))
                                .check(status().in(200, 202, 409))
                                .check(responseTimeInMillis().saveAs("rt"))
                                .check(jsonPath("$.currentStatus").optional().saveAs("current"))))
                        .exec(this::giveBack));
        ScenarioBuilder dispatchers;
        PopulationBuilder population;
        if (current.open()) {
            dispatchers = scenario("dispatchers (open, " + current.ratePerSecond() + "/s)")
                    .exec(change);
            population = dispatchers.injectOpen(
                    constantUsersPerSec(current.ratePerSecond()).during(current.duration()));
        } else {
            dispatchers = scenario("dispatchers (closed, " + current.clients() + " clients)")
                    .during(current.duration())
                    .on(change);
            population = dispatchers.injectOpen(atOnceUsers(current.clients()));
        }
        setUp(population).protocols(protocol);
    }

    @Override
    public void before() {
        current.window().opened();
    }

    @Override
    public void after() {
        current.window().closed();
    }

    private Session takeOrder(Session session) {
        OrderPool.Slot slot = current.pool().take();
        if (slot == null) {
            return session.remove("orderId");
        }
        OrderPool.Change change = slot.next();
        return session.set("orderId", slot.orderId)
                .set("slot", slot)
                .set("change", change)
                .set("action", change.action())
                .set("body", change.body() == null ? "" : change.body())
                .remove("code")
                .remove("current")
                .remove("rt");
    }

    private Session giveBack(Session session) {
        OrderPool.Slot slot = session.get("slot");
        OrderPool.Change change = session.get("change");
        int code = session.contains("code") ? session.getInt("code") : 0;
        String currentStatus = session.contains("current") ? session.getString("current") : null;
        current().pool().giveBack(slot, change, code, currentStatus);
        if (session.contains("rt") && current().latencies() != null) {
            current().latencies().add(new long[] {System.currentTimeMillis(), session.getInt("rt")});
        }
        return session.remove("orderId").remove("slot").remove("change");
    }

    private Plan current() {
        return current;
    }
}
