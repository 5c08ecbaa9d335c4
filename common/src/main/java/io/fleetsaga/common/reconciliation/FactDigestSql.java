package io.fleetsaga.common.reconciliation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * The SQL both sides of a reconciliation use to digest and page their facts, so that equal facts give equal
 * digests on either side. Evaluated by the database (MySQL 8 and MariaDB agree on {@code CRC32}, {@code MD5},
 * {@code CONCAT_WS} and {@code BIT_XOR}), so a digest over a million rows costs one scan and returns one small
 * row per bucket.
 *
 * <ul>
 *   <li>bucket of a row: {@code CRC32(key) & (bucketCount - 1)}
 *   <li>hash of a row: the first 64 bits of {@code MD5(CONCAT_WS('|', key, fields…))}, {@code NULL} fields as
 *       empty strings
 *   <li>digest of a bucket: {@code BIT_XOR} of its row hashes, with the row count next to it
 * </ul>
 *
 * <p>Column and table names are trusted code, never user input; only values are bound as parameters.
 */
public final class FactDigestSql {

    /** Most buckets a digest may have (2^20). */
    public static final int MAX_BUCKETS = 1 << 20;

    private FactDigestSql() {}

    /** Throws unless {@code bucketCount} is a power of two between 1 and {@link #MAX_BUCKETS}. */
    public static int requireBucketCount(int bucketCount) {
        if (bucketCount < 1 || bucketCount > MAX_BUCKETS || Integer.bitCount(bucketCount) != 1) {
            throw new IllegalArgumentException(
                    "bucketCount must be a power of two between 1 and " + MAX_BUCKETS + ", was " + bucketCount);
        }
        return bucketCount;
    }

    /** The smallest power of two ≥ {@code rows / rowsPerBucket}, between {@code min} and {@code max}. */
    public static int bucketCountFor(long rows, int rowsPerBucket, int min, int max) {
        long wanted = Math.max(1, rows / Math.max(1, rowsPerBucket));
        int count = Integer.highestOneBit((int) Math.min(wanted, MAX_BUCKETS));
        if (count < wanted) {
            count <<= 1;
        }
        return requireBucketCount(Math.max(min, Math.min(max, Math.min(count, MAX_BUCKETS))));
    }

    /** The bucket of a row, as an SQL expression over the key column. */
    public static String bucket(String keyColumn, int bucketCount) {
        requireBucketCount(bucketCount);
        return "(CRC32(" + keyColumn + ") & " + (bucketCount - 1) + ")";
    }

    /** The 64-bit hash of a row (unsigned), as an SQL expression over the key and fact columns. */
    public static String rowHash(String keyColumn, List<String> factColumns) {
        String columns = factColumns.stream()
                .map(c -> "COALESCE(" + c + ", '')")
                .collect(Collectors.joining(", ", keyColumn + ", ", ""));
        return "CAST(CONV(LEFT(MD5(CONCAT_WS('|', " + columns + ")), 16), 16, 10) AS UNSIGNED)";
    }

    /**
     * Digests the rows of {@code table} selected by {@code where} (an SQL condition, may be {@code null}).
     *
     * @param keyColumn the key both sides share (the row identity)
     * @param factColumns the facts that must agree, in the same order on both sides
     */
    public static BucketDigests digest(
            JdbcTemplate jdbc,
            String table,
            String keyColumn,
            List<String> factColumns,
            String where,
            int bucketCount,
            Object... whereArgs) {
        String sql = "SELECT " + bucket(keyColumn, bucketCount) + " AS b, COUNT(*) AS n, CAST(BIT_XOR("
                + rowHash(keyColumn, factColumns) + ") AS SIGNED) AS d FROM " + table
                + (where == null ? "" : " WHERE " + where) + " GROUP BY b ORDER BY b";
        List<long[]> rows = new ArrayList<>();
        jdbc.query(
                sql,
                (RowCallbackHandler) rs -> rows.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}),
                whereArgs);
        int[] buckets = new int[rows.size()];
        long[] counts = new long[rows.size()];
        long[] digests = new long[rows.size()];
        long total = 0;
        for (int i = 0; i < rows.size(); i++) {
            buckets[i] = (int) rows.get(i)[0];
            counts[i] = rows.get(i)[1];
            digests[i] = rows.get(i)[2];
            total += counts[i];
        }
        return new BucketDigests(bucketCount, total, buckets, counts, digests);
    }

    /**
     * An SQL condition selecting the rows in {@code buckets} whose key is after {@code afterKey} (keyset paging
     * in key order); append {@code ORDER BY key LIMIT n}. Its parameters are returned by {@link #pageArgs}.
     *
     * @param buckets the buckets to page through; empty means all rows
     */
    public static String pageCondition(String keyColumn, int bucketCount, int[] buckets, String afterKey) {
        Objects.requireNonNull(buckets, "buckets");
        StringBuilder sql = new StringBuilder(afterKey == null ? "1 = 1" : keyColumn + " > ?");
        if (buckets.length > 0) {
            sql.append(" AND ").append(bucket(keyColumn, bucketCount)).append(" IN (");
            sql.append(Arrays.stream(buckets)
                    .peek(b -> {
                        if (b < 0 || b >= bucketCount) {
                            throw new IllegalArgumentException("bucket " + b + " out of range");
                        }
                    })
                    .mapToObj(Integer::toString)
                    .collect(Collectors.joining(",")));
            sql.append(")");
        }
        return sql.toString();
    }

    /** The parameters of {@link #pageCondition}. */
    public static Object[] pageArgs(String afterKey) {
        return afterKey == null ? new Object[0] : new Object[] {afterKey};
    }
}
