package io.fleetsaga.order.reconciliation;

import io.fleetsaga.common.reconciliation.BucketDigests;
import java.util.Collection;
import java.util.List;

/** One side's facts: digested over hash buckets, paged in key order, or looked up by order id. */
public interface FactSource {

    /** Digests of all facts over {@code bucketCount} buckets. */
    BucketDigests digests(int bucketCount);

    /**
     * The facts in {@code buckets} (all when empty) whose order id comes after {@code after} ({@code null}: from
     * the start), at most {@code limit}, in key order ({@link KeyOrder}).
     */
    FactPage page(int bucketCount, int[] buckets, String after, int limit);

    /** The facts of those orders that have one. */
    List<OrderFact> byOrderIds(Collection<String> orderIds);
}
