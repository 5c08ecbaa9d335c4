package io.fleetsaga.assignment.reconciliation;

import io.fleetsaga.common.reconciliation.BucketDigests;
import io.fleetsaga.common.reconciliation.FactDigestSql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * This side of reconciliation: the facts of every {@code task_order_link} row (order id → task id, status, version),
 * digested over hash buckets, paged in key order, or looked up by order id. Read-only.
 *
 * <p><b>Comparable with order-service.</b> The digests use the kit's {@link FactDigestSql} with key
 * {@code order_id} and the facts {@code task_id, order_status, order_version} in that order — the same values, in
 * the same order, as order-service's {@code id} and {@code task_id, status, version} of its orders that name a task —
 * so equal facts give equal digests, bit for bit (both tables are {@code utf8mb4}). Every link row counts, whatever
 * its status: a link that should not exist is drift, too.
 *
 * <p><b>Consistency.</b> Each method is one SQL statement, so it reads one consistent snapshot of the links. Keys are
 * ordered by the column's {@code utf8mb4_bin} collation (Unicode code points); a page continues strictly after the
 * given key, so paging sees every row that exists throughout, exactly once.
 */
@Component
public class LinkFacts {

    /** Most facts in one page. */
    public static final int MAX_PAGE = 5000;

    /** Most buckets a page may be restricted to. */
    public static final int MAX_PAGE_BUCKETS = 65_536;

    /** Most order ids in one lookup. */
    public static final int MAX_ORDER_IDS = 1000;

    static final String TABLE = "task_order_link";
    static final String KEY = "order_id";
    static final List<String> FACTS = List.of("task_id", "order_status", "order_version");

    private static final String COLUMNS = KEY + ", " + String.join(", ", FACTS);

    private final JdbcTemplate jdbc;

    LinkFacts(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Digests of all links over {@code bucketCount} buckets.
     *
     * @throws IllegalArgumentException unless {@code bucketCount} is a power of two up to {@link
     *     FactDigestSql#MAX_BUCKETS}
     */
    public BucketDigests digests(int bucketCount) {
        return FactDigestSql.digest(jdbc, TABLE, KEY, FACTS, null, bucketCount);
    }

    /**
     * The links in {@code buckets} (all links when empty) whose order id comes after {@code after} ({@code null}:
     * from the first), at most {@code limit}, ascending by order id.
     */
    public LinkFactPage page(int bucketCount, int[] buckets, String after, int limit) {
        FactDigestSql.requireBucketCount(bucketCount);
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE + ", was " + limit);
        }
        if (buckets.length > MAX_PAGE_BUCKETS) {
            throw new IllegalArgumentException("at most " + MAX_PAGE_BUCKETS + " buckets, were " + buckets.length);
        }
        Object[] pageArgs = FactDigestSql.pageArgs(after);
        Object[] args = new Object[pageArgs.length + 1];
        System.arraycopy(pageArgs, 0, args, 0, pageArgs.length);
        args[pageArgs.length] = limit;
        List<LinkFact> facts = jdbc.query(
                "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE "
                        + FactDigestSql.pageCondition(KEY, bucketCount, buckets, after) + " ORDER BY " + KEY
                        + " LIMIT ?",
                LinkFacts::fact,
                args);
        String next = facts.size() == limit ? facts.get(facts.size() - 1).orderId() : null;
        return new LinkFactPage(facts, next);
    }

    /** The links of those of {@code orderIds} that have one, ascending by order id. */
    public List<LinkFact> byOrderIds(Collection<String> orderIds) {
        if (orderIds.size() > MAX_ORDER_IDS) {
            throw new IllegalArgumentException("at most " + MAX_ORDER_IDS + " order ids, were " + orderIds.size());
        }
        if (orderIds.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(orderIds);
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE " + KEY + " IN ("
                        + ids.stream().map(id -> "?").collect(Collectors.joining(",")) + ") ORDER BY " + KEY,
                LinkFacts::fact,
                ids.toArray());
    }

    private static LinkFact fact(ResultSet rs, int row) throws SQLException {
        return new LinkFact(
                rs.getString("order_id"),
                rs.getString("task_id"),
                rs.getString("order_status"),
                rs.getLong("order_version"));
    }
}
