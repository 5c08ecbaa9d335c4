package io.fleetsaga.common.reconciliation;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Digests of one side's facts over {@code bucketCount} hash buckets, as computed by {@link FactDigestSql}: per
 * non-empty bucket its number, its row count and the XOR of its rows' 64-bit hashes. Two sides hold the same facts
 * in a bucket exactly when count and digest agree (up to a 64-bit hash collision), so only the buckets that differ
 * need a row-by-row comparison.
 *
 * @param bucketCount a power of two
 * @param total rows over all buckets
 * @param buckets the non-empty buckets, ascending
 * @param counts rows per bucket, parallel to {@code buckets}
 * @param digests XOR of the row hashes per bucket, parallel to {@code buckets}
 */
public record BucketDigests(int bucketCount, long total, int[] buckets, long[] counts, long[] digests) {

    public BucketDigests {
        FactDigestSql.requireBucketCount(bucketCount);
        Objects.requireNonNull(buckets, "buckets");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(digests, "digests");
        if (buckets.length != counts.length || buckets.length != digests.length) {
            throw new IllegalArgumentException("buckets, counts and digests must have the same length");
        }
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] < 0 || buckets[i] >= bucketCount || (i > 0 && buckets[i] <= buckets[i - 1])) {
                throw new IllegalArgumentException("buckets must be ascending and below " + bucketCount);
            }
        }
    }

    /** The buckets whose count or digest differs between this side and {@code other}, ascending. */
    public int[] differingBuckets(BucketDigests other) {
        if (other.bucketCount != bucketCount) {
            throw new IllegalArgumentException("bucket counts differ: " + bucketCount + " and " + other.bucketCount);
        }
        IntStream.Builder differing = IntStream.builder();
        int i = 0;
        int j = 0;
        while (i < buckets.length || j < other.buckets.length) {
            int mine = i < buckets.length ? buckets[i] : Integer.MAX_VALUE;
            int theirs = j < other.buckets.length ? other.buckets[j] : Integer.MAX_VALUE;
            if (mine == theirs) {
                if (counts[i] != other.counts[j] || digests[i] != other.digests[j]) {
                    differing.add(mine);
                }
                i++;
                j++;
            } else if (mine < theirs) {
                differing.add(mine);
                i++;
            } else {
                differing.add(theirs);
                j++;
            }
        }
        return differing.build().toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BucketDigests other
                && bucketCount == other.bucketCount
                && total == other.total
                && Arrays.equals(buckets, other.buckets)
                && Arrays.equals(counts, other.counts)
                && Arrays.equals(digests, other.digests);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bucketCount, total, Arrays.hashCode(buckets), Arrays.hashCode(digests));
    }

    @Override
    public String toString() {
        return "BucketDigests[bucketCount=" + bucketCount + ", total=" + total + ", nonEmpty=" + buckets.length + "]";
    }
}
