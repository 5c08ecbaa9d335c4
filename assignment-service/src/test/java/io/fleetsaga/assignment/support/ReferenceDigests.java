package io.fleetsaga.assignment.support;

import io.fleetsaga.common.reconciliation.BucketDigests;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The digest formula computed in Java, independently of the SQL under test: bucket = CRC32 of the key's UTF-8 bytes
 * {@code & (bucketCount - 1)}; row hash = the first 16 hex digits of the MD5 of {@code "key|taskId|status|version"}
 * as an unsigned 64-bit number (carried in a signed long); bucket digest = XOR of its row hashes.
 */
public final class ReferenceDigests {

    /** One row of facts as both services hold it. */
    public record Fact(String orderId, String taskId, String status, long version) {}

    private ReferenceDigests() {}

    public static int bucket(String key, int bucketCount) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() & (bucketCount - 1));
    }

    public static long rowHash(Fact fact) {
        String row = String.join(
                "|",
                fact.orderId(),
                fact.taskId() == null ? "" : fact.taskId(),
                fact.status(),
                Long.toString(fact.version()));
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest(row.getBytes(StandardCharsets.UTF_8));
            return Long.parseUnsignedLong(HexFormat.of().formatHex(md5).substring(0, 16), 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static BucketDigests digests(List<Fact> facts, int bucketCount) {
        Map<Integer, long[]> byBucket = new TreeMap<>();
        for (Fact fact : facts) {
            long[] b = byBucket.computeIfAbsent(bucket(fact.orderId(), bucketCount), k -> new long[2]);
            b[0]++;
            b[1] ^= rowHash(fact);
        }
        int[] buckets = byBucket.keySet().stream().mapToInt(Integer::intValue).toArray();
        long[] counts = byBucket.values().stream().mapToLong(b -> b[0]).toArray();
        long[] digests = byBucket.values().stream().mapToLong(b -> b[1]).toArray();
        return new BucketDigests(bucketCount, facts.size(), buckets, counts, digests);
    }
}
