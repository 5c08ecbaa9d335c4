package io.fleetsaga.order.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The pure rules of a run: drift classification, key order, request validation. */
class ReconciliationRulesTests {

    private static final OrderFact ON_A = new OrderFact("o-1", "t-a", "DELIVERED", 5);

    @Test
    void classifiesEachKindOfDifference() {
        assertThat(Reconciler.classify("o-1", ON_A, null).type()).isEqualTo(DriftType.MISSING_LINK);
        assertThat(Reconciler.classify("o-1", null, ON_A).type()).isEqualTo(DriftType.ORPHAN_LINK);
        assertThat(Reconciler.classify("o-1", ON_A, new OrderFact("o-1", "t-b", "DELIVERED", 5))
                        .type())
                .isEqualTo(DriftType.WRONG_TASK);
        assertThat(Reconciler.classify("o-1", ON_A, new OrderFact("o-1", "t-a", "DELIVERING", 4))
                        .type())
                .isEqualTo(DriftType.STALE_STATUS);
        assertThat(Reconciler.classify("o-1", ON_A, new OrderFact("o-1", "t-a", "DELIVERED", 6))
                        .type())
                .isEqualTo(DriftType.STALE_STATUS);
        Drift missing = Reconciler.classify("o-1", ON_A, null);
        assertThat(missing.taskId()).isEqualTo("t-a");
        assertThat(missing.expected()).isEqualTo("t-a/DELIVERED@v5");
        assertThat(missing.actual()).isEqualTo("no link");
    }

    @Test
    void theConsumerHasReachedAMarkOnlyWhenItIsAtOrPastItInEveryPartitionAsked() {
        LogPartition p0 = new LogPartition("fleet.order.events", 0);
        LogPartition p1 = new LogPartition("fleet.order.events", 1);
        LogPositions mark = new LogPositions(Map.of(p0, 10L, p1, 20L));
        LogPositions applied = new LogPositions(Map.of(p0, 10L, p1, 19L));

        assertThat(applied.reached(mark, Set.of(p0))).isTrue();
        assertThat(applied.reached(mark, Set.of(p1))).isFalse();
        assertThat(applied.reached(mark, Set.of(p0, p1))).isFalse();
        // a partition the group never committed in is at 0: behind any mark past 0, not behind an empty partition
        assertThat(new LogPositions(Map.of()).reached(mark, Set.of(p0))).isFalse();
        assertThat(new LogPositions(Map.of()).reached(new LogPositions(Map.of(p0, 0L)), Set.of(p0)))
                .isTrue();
        assertThat(mark.partitionCount("fleet.order.events")).isEqualTo(2);
    }

    @Test
    void aBlockedEntryNamesTheParkedEventThatHoldsTheOrderBack() {
        ParkedHead head = new ParkedHead("e-1", "OrderStateChanged", 3L, "RecordTooLargeException: too large");
        Drift blocked = Drift.blocked("o-1", "t-a", "t-a/DELIVERED@v5", head);

        assertThat(blocked.type()).isEqualTo(DriftType.BLOCKED);
        assertThat(blocked.type().tag()).isEqualTo("blocked");
        assertThat(blocked.parked()).isEqualTo(head);
        assertThat(blocked.actual())
                .isEqualTo("held back by parked OrderStateChanged e-1 (v3): RecordTooLargeException: too large");
        assertThat(blocked.repaired(RepairResult.PUBLISHED, "done").parked()).isEqualTo(head);
    }

    @Test
    void keyOrderIsCodePointOrderLikeTheDatabasesBinaryCollation() {
        List<String> ids = new ArrayList<>(List.of("o-b", "o-\uD83D\uDE00", "o-\uFFFD", "o-a", "o-", "o-ab"));
        Collections.shuffle(ids);
        ids.sort(KeyOrder.CODE_POINTS);
        // U+1F600 (a surrogate pair in UTF-16) sorts after U+FFFD by code point, before it by String#compareTo
        assertThat(ids).containsExactly("o-", "o-a", "o-ab", "o-b", "o-\uFFFD", "o-\uD83D\uDE00");
        assertThat("o-\uD83D\uDE00".compareTo("o-\uFFFD")).isNegative();
    }

    @Test
    void aRunRequestIsCheckedBeforeItStarts() {
        assertThat(RunRequest.scheduled(RunRequest.Mode.DRY_RUN).scope()).isEqualTo(RunRequest.Scope.ALL);
        assertThatThrownBy(() -> request(RunRequest.Scope.ORDERS, List.of(), null))
                .isInstanceOf(InvalidRunRequestException.class)
                .hasMessageContaining("needs orderIds");
        assertThatThrownBy(() -> request(RunRequest.Scope.ORDERS, List.of(" "), null))
                .isInstanceOf(InvalidRunRequestException.class);
        List<String> tooMany = IntStream.rangeClosed(0, RunRequest.MAX_ORDER_IDS)
                .mapToObj(i -> "o-" + i)
                .toList();
        assertThatThrownBy(() -> request(RunRequest.Scope.ORDERS, tooMany, null))
                .isInstanceOf(InvalidRunRequestException.class);
        assertThatThrownBy(() -> request(RunRequest.Scope.CHANGED_SINCE, List.of(), null))
                .isInstanceOf(InvalidRunRequestException.class)
                .hasMessageContaining("changedSince");
        assertThatThrownBy(() -> request(RunRequest.Scope.ALL, List.of("o-1"), null))
                .isInstanceOf(InvalidRunRequestException.class);
        assertThatThrownBy(() -> new RunRequest(
                        RunRequest.Mode.DRY_RUN,
                        RunRequest.Scope.CHANGED_SINCE,
                        RunRequest.Method.FULL_SCAN,
                        List.of(),
                        Instant.now()))
                .isInstanceOf(InvalidRunRequestException.class);
        assertThat(request(RunRequest.Scope.CHANGED_SINCE, null, Instant.EPOCH).orderIds())
                .isEmpty();
    }

    private static RunRequest request(RunRequest.Scope scope, List<String> orderIds, Instant since) {
        return new RunRequest(RunRequest.Mode.DRY_RUN, scope, RunRequest.Method.DIGEST, orderIds, since);
    }
}
