package io.fleetsaga.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the pipeline order-service → relay → Kafka → assignment-service did, read from outside: the database (order
 * versions committed by order-service, versions applied in assignment-service's order mirror, outbox and inbox rows)
 * and the services' {@code /actuator/prometheus}.
 *
 * <p>Every order change bumps the order's {@code version} by one and publishes one {@code OrderStateChanged} with that
 * version; assignment-service's {@code order_mirror.order_version} holds the version it applied. So the sum of versions
 * is the number of changes committed (order-service) or applied (assignment-service) — including the changes the saga
 * makes ({@code OrderLinked}: {@code ASSIGNMENT_PENDING → ASSIGNED}) — and their difference is the backlog.
 */
final class Pipeline implements AutoCloseable {

    private static final Pattern SAMPLE =
            Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? ([-+0-9.eEINaf]+)");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    private final Connection connection;
    private final String orders;
    private final String assignments;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String authorization;

    Pipeline(
            String jdbcUrl,
            String user,
            String password,
            String orders,
            String assignments,
            String opsUser,
            String opsPassword)
            throws SQLException {
        this.connection = DriverManager.getConnection(jdbcUrl, user, password);
        this.connection.setAutoCommit(true);
        try (Statement st = connection.createStatement()) {
            st.execute("SET time_zone = '+00:00'"); // the outbox and inbox times are UTC
        }
        this.orders = orders;
        this.assignments = assignments;
        this.authorization = "Basic "
                + Base64.getEncoder().encodeToString((opsUser + ":" + opsPassword).getBytes(StandardCharsets.UTF_8));
    }

    /** Changes committed by order-service and applied by assignment-service so far (sums of versions). */
    record Progress(long nanos, long committed, long applied) {
        long backlog() {
            return committed - applied;
        }
    }

    synchronized Progress progress() throws SQLException {
        long now = System.nanoTime();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT (SELECT COALESCE(SUM(version), 0) FROM " + orders
                        + ".fleet_order), (SELECT COALESCE(SUM(order_version), 0) FROM " + assignments
                        + ".order_mirror)")) {
            rs.next();
            return new Progress(now, rs.getLong(1), rs.getLong(2));
        }
    }

    /** Orders in a status, of those whose id starts with {@code prefix}. */
    synchronized long count(String prefix, String status) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT COUNT(*) FROM " + orders + ".fleet_order WHERE id LIKE ? AND status = ?")) {
            ps.setString(1, prefix + "%");
            ps.setString(2, status);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Commit → applied per event from the database: order-service's outbox {@code created_at} (written in the
     * change's transaction, database clock) to assignment-service's inbox {@code processed_at} for the same event id,
     * for the events created in the last {@code seconds}, in ms. Exact per event, but {@code created_at} is taken
     * slightly before the commit.
     */
    synchronized double[] propagationMillisFromDatabase(long fromEpochMicros, long toEpochMicros) throws SQLException {
        List<Double> values = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT TIMESTAMPDIFF(MICROSECOND, o.created_at,"
                        + " i.processed_at) FROM " + orders + ".outbox_event o JOIN " + assignments
                        + ".inbox_message i ON i.message_id = o.event_id WHERE o.topic = 'fleet.order.events'"
                        + " AND o.created_at >= FROM_UNIXTIME(? / 1000000.0) AND o.created_at < FROM_UNIXTIME(? / 1000000.0)")) {
            ps.setLong(1, fromEpochMicros);
            ps.setLong(2, toEpochMicros);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getLong(1) / 1000.0);
                }
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /** The database's clock in µs since the epoch (the outbox's {@code created_at} is UTC from this clock). */
    synchronized long databaseMicros() throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT UNIX_TIMESTAMP(UTC_TIMESTAMP(6)) * 1000000")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The text of a service's {@code /actuator/prometheus}; empty when it does not answer. */
    String scrape(URI prometheus) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(prometheus)
                            .header("Authorization", authorization)
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (java.io.IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The sum of every sample of a metric (all label sets); NaN when absent. */
    static double sum(String text, String metric) {
        return sum(text, metric, "");
    }

    /** The sum of the samples of a metric whose labels contain {@code label} (e.g. {@code result="verified"}). */
    static double sum(String text, String metric, String label) {
        double total = Double.NaN;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find()
                    && m.group(1).equals(metric)
                    && (label.isEmpty() || (m.group(3) != null && m.group(3).contains(label)))) {
                total = (Double.isNaN(total) ? 0 : total) + Double.parseDouble(m.group(4));
            }
        }
        return total;
    }

    /** Cumulative bucket counts of a histogram ({@code <name>_bucket}) by upper bound, summed over label sets. */
    static TreeMap<Double, Double> buckets(String text, String histogram) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find() && m.group(1).equals(histogram + "_bucket") && m.group(3) != null) {
                Matcher le = LE.matcher(m.group(3));
                if (le.find()) {
                    double bound =
                            le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                    buckets.merge(bound, Double.parseDouble(m.group(4)), Double::sum);
                }
            }
        }
        return buckets;
    }

    /** The label values of {@code label} on a metric's samples (e.g. which consumers a histogram has). */
    static List<String> labelValues(String text, String metric, String label) {
        Pattern value = Pattern.compile(label + "=\"([^\"]*)\"");
        List<String> values = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find() && m.group(1).equals(metric) && m.group(3) != null) {
                Matcher v = value.matcher(m.group(3));
                if (v.find() && !values.contains(v.group(1))) {
                    values.add(v.group(1));
                }
            }
        }
        return values;
    }

    /** after − before, bucket by bucket. */
    static TreeMap<Double, Double> delta(Map<Double, Double> before, Map<Double, Double> after) {
        TreeMap<Double, Double> delta = new TreeMap<>();
        after.forEach((bound, count) -> delta.put(bound, count - before.getOrDefault(bound, 0.0)));
        return delta;
    }

    /**
     * A quantile of cumulative buckets, interpolated linearly inside the bucket as Prometheus's {@code
     * histogram_quantile} does: only as exact as the buckets; NaN without observations. A quantile in the {@code
     * +Inf} bucket is reported as the highest finite bound.
     */
    static double quantile(TreeMap<Double, Double> cumulative, double q) {
        if (cumulative.isEmpty()) {
            return Double.NaN;
        }
        double total = cumulative.lastEntry().getValue();
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) {
                    return lowerBound;
                }
                double inBucket = e.getValue() - lowerCount;
                return inBucket <= 0
                        ? e.getKey()
                        : lowerBound + (e.getKey() - lowerBound) * (rank - lowerCount) / inBucket;
            }
            lowerBound = e.getKey();
            lowerCount = e.getValue();
        }
        return lowerBound;
    }

    /** A quantile of sorted values (nearest rank); NaN when empty. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }
}
