package io.fleetsaga.common.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BucketDigestsTests {

    @Test
    void bucketsDifferWhenCountOrDigestDiffersOrOnlyOneSideHasRows() {
        BucketDigests mine =
                new BucketDigests(8, 6, new int[] {0, 2, 3, 5}, new long[] {1, 2, 1, 2}, new long[] {10, 20, 30, 50});
        BucketDigests theirs =
                new BucketDigests(8, 6, new int[] {0, 2, 4, 5}, new long[] {1, 3, 1, 2}, new long[] {10, 20, 40, 51});

        assertThat(mine.differingBuckets(theirs)).containsExactly(2, 3, 4, 5);
        assertThat(theirs.differingBuckets(mine)).containsExactly(2, 3, 4, 5);
        assertThat(mine.differingBuckets(mine)).isEmpty();
    }

    @Test
    void emptySidesDifferInEveryBucketOfTheOther() {
        BucketDigests empty = new BucketDigests(4, 0, new int[0], new long[0], new long[0]);
        BucketDigests some = new BucketDigests(4, 2, new int[] {1, 3}, new long[] {1, 1}, new long[] {7, 9});

        assertThat(empty.differingBuckets(some)).containsExactly(1, 3);
        assertThat(empty.differingBuckets(empty)).isEmpty();
    }

    @Test
    void refusesMalformedDigestsAndMismatchedBucketCounts() {
        assertThatThrownBy(() -> new BucketDigests(6, 0, new int[0], new long[0], new long[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BucketDigests(4, 0, new int[] {2, 1}, new long[2], new long[2]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BucketDigests(4, 0, new int[] {4}, new long[1], new long[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BucketDigests(4, 0, new int[] {1}, new long[2], new long[1]))
                .isInstanceOf(IllegalArgumentException.class);
        BucketDigests four = new BucketDigests(4, 0, new int[0], new long[0], new long[0]);
        BucketDigests eight = new BucketDigests(8, 0, new int[0], new long[0], new long[0]);
        assertThatThrownBy(() -> four.differingBuckets(eight)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bucketCountFollowsTheRowsWithinBounds() {
        assertThat(FactDigestSql.bucketCountFor(0, 16, 256, 65536)).isEqualTo(256);
        assertThat(FactDigestSql.bucketCountFor(1_000_000, 16, 256, 65536)).isEqualTo(65536);
        assertThat(FactDigestSql.bucketCountFor(100_000, 16, 256, 65536)).isEqualTo(8192);
        assertThat(FactDigestSql.bucketCountFor(10_000_000_000L, 16, 256, 65536))
                .isEqualTo(65536);
        assertThat(FactDigestSql.bucketCountFor(5000, 16, 1, 1 << 20)).isEqualTo(512);
    }

    @Test
    void pageConditionNamesOnlyValidBuckets() {
        assertThat(FactDigestSql.pageCondition("id", 8, new int[0], null)).isEqualTo("1 = 1");
        assertThat(FactDigestSql.pageCondition("id", 8, new int[] {1, 5}, "o-9"))
                .isEqualTo("id > ? AND (CRC32(id) & 7) IN (1,5)");
        assertThat(FactDigestSql.pageArgs("o-9")).containsExactly("o-9");
        assertThatThrownBy(() -> FactDigestSql.pageCondition("id", 8, new int[] {8}, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
