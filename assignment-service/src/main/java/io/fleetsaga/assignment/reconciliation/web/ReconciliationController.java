package io.fleetsaga.assignment.reconciliation.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fleetsaga.assignment.reconciliation.ConsumerPositions;
import io.fleetsaga.assignment.reconciliation.CounterCheck;
import io.fleetsaga.assignment.reconciliation.CounterMismatch;
import io.fleetsaga.assignment.reconciliation.CounterRecomputation;
import io.fleetsaga.assignment.reconciliation.CounterRecount;
import io.fleetsaga.assignment.reconciliation.Fence;
import io.fleetsaga.assignment.reconciliation.LinkFact;
import io.fleetsaga.assignment.reconciliation.LinkFactPage;
import io.fleetsaga.assignment.reconciliation.LinkFacts;
import io.fleetsaga.assignment.reconciliation.StaleFencingTokenException;
import io.fleetsaga.common.reconciliation.BucketDigests;
import io.fleetsaga.common.reconciliation.FactDigestSql;
import io.fleetsaga.common.web.FieldProblem;
import io.fleetsaga.common.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.Nullable;
import java.util.List;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The read API order-service's reconciliation compares its orders with (role SERVICE, like all of
 * {@code /internal/**}): digests of the links over hash buckets, the links themselves page by page or by order id,
 * and the tasks' counters checked and recomputed. Shapes in docs/contracts.md. Invalid input is answered 400 with a
 * problem detail naming the field.
 */
@RestController
@RequestMapping("/internal/reconciliation")
@Tag(name = "Reconciliation (internal)")
class ReconciliationController {

    static final int DEFAULT_LIMIT = 1000;

    private final LinkFacts facts;
    private final CounterCheck counterCheck;
    private final CounterRecomputation recomputation;
    private final ConsumerPositions positions;

    ReconciliationController(
            LinkFacts facts,
            CounterCheck counterCheck,
            CounterRecomputation recomputation,
            ConsumerPositions positions) {
        this.facts = facts;
        this.counterCheck = counterCheck;
        this.recomputation = recomputation;
        this.positions = positions;
    }

    /** Digests of all links: {@code {"bucketCount","total","buckets","counts","digests"}}. */
    @Operation(
            operationId = "getLinkDigests",
            summary = "Digest all links over hash buckets",
            description = "Per bucket of the order ids: the number of links and a digest of them (`bucketCount`: a"
                    + " power of two).")
    @GetMapping("/digests")
    BucketDigests digests(@RequestParam int bucketCount) {
        return facts.digests(bucketCount(bucketCount));
    }

    @Operation(
            operationId = "listLinkFacts",
            summary = "Page through the links of some buckets",
            description = "In order id order; continue with `after` = the previous page's `next`.")
    @PostMapping("/facts")
    Facts page(@RequestBody FactsRequest request) {
        int bucketCount = bucketCount(request.bucketCount());
        int[] buckets = buckets(request.buckets(), bucketCount);
        int limit = request.limit() == null ? DEFAULT_LIMIT : request.limit();
        if (limit < 1 || limit > LinkFacts.MAX_PAGE) {
            throw new InvalidRequest("limit", "must be between 1 and " + LinkFacts.MAX_PAGE + ", was " + limit);
        }
        LinkFactPage page = facts.page(bucketCount, buckets, request.after(), limit);
        return new Facts(FactView.of(page.facts()), page.next());
    }

    @Operation(operationId = "findLinkFactsByOrder", summary = "Read the links of the given orders")
    @PostMapping("/facts/by-order")
    FactsByOrder byOrder(@RequestBody ByOrderRequest request) {
        List<String> orderIds = ids("orderIds", request.orderIds(), LinkFacts.MAX_ORDER_IDS);
        return new FactsByOrder(FactView.of(facts.byOrderIds(orderIds)));
    }

    /** Without a body, or with {@code taskIds} null, every task is checked. */
    @Operation(
            operationId = "checkTaskCounters",
            summary = "Check tasks' counters against their links",
            description = "Without a body, or with `taskIds` null, every task is checked.")
    @PostMapping("/counter-check")
    CounterMismatches counterCheck(@RequestBody(required = false) TaskIdsRequest request) {
        if (request == null || request.taskIds() == null) {
            return new CounterMismatches(counterCheck.all());
        }
        return new CounterMismatches(counterCheck.of(ids("taskIds", request.taskIds(), CounterCheck.MAX_TASK_IDS)));
    }

    @Operation(
            operationId = "recomputeTaskCounters",
            summary = "Recompute tasks' counters from their links",
            description = "Idempotent; on a 503 the tasks before the busy one were recomputed, the whole call can be"
                    + " repeated. Fenced: `lease` and `fencingToken` name the caller's lease and the token of its"
                    + " acquisition; a token older than one already seen for that lease is answered 409 (the"
                    + " caller's lease was taken over) and the task it was refused at and the rest are not"
                    + " recomputed.")
    @ApiResponse(responseCode = "200", description = "The counters before and after, per task")
    @ApiResponse(responseCode = "409", ref = "StaleFencingToken")
    @PostMapping("/counter-recompute")
    Recomputed counterRecompute(@RequestBody RecomputeRequest request) {
        if (request.taskIds() == null) {
            throw new InvalidRequest("taskIds", "is required");
        }
        List<String> taskIds = ids("taskIds", request.taskIds(), CounterRecomputation.MAX_TASK_IDS);
        return new Recomputed(recomputation.recompute(taskIds, fence(request)).stream()
                .map(RecountView::of)
                .toList());
    }

    /**
     * Up to where this service has applied order-service's events: its consumer group's committed offsets per
     * partition of {@code fleet.order.events} (the offset of the next record; an offset is committed only after the
     * record's effect). order-service's reconciliation counts a difference as drift only once these have reached the
     * log's end as it was when the order was seen.
     */
    @Operation(
            operationId = "getConsumerPositions",
            summary = "Committed offsets of the order-events consumer group",
            description = "Per partition of `fleet.order.events`: the offset of the next record to apply (every record"
                    + " before it is applied and committed). Partitions without a commit are left out. 503 when the"
                    + " broker does not answer.")
    @ApiResponse(responseCode = "200", description = "The group's committed positions")
    @GetMapping("/consumer-positions")
    Positions consumerPositions() {
        return new Positions(positions.group(), positions.committed());
    }

    @ExceptionHandler(ConsumerPositions.PositionsUnavailableException.class)
    ResponseEntity<ProblemDetail> positionsUnavailable(ConsumerPositions.PositionsUnavailableException ex) {
        ProblemDetail problem = Problems.of(
                HttpStatus.SERVICE_UNAVAILABLE, "broker-unavailable", "Broker unavailable", ex.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, "5")
                .body(problem);
    }

    @ExceptionHandler(InvalidRequest.class)
    ResponseEntity<ProblemDetail> invalid(InvalidRequest ex) {
        ProblemDetail problem = Problems.of(
                HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", ex.field + ": " + ex.getMessage());
        problem.setProperty("errors", List.of(new FieldProblem(ex.field, ex.getMessage())));
        return ResponseEntity.badRequest().body(problem);
    }

    /** The caller's lease was taken over by a holder whose token this service has seen: nothing more changes. */
    @ExceptionHandler(StaleFencingTokenException.class)
    ResponseEntity<ProblemDetail> staleFencingToken(StaleFencingTokenException ex) {
        ProblemDetail problem = Problems.of(
                HttpStatus.CONFLICT,
                "stale-fencing-token",
                "Stale fencing token",
                ex.getMessage() + "; tasks before the refused one may have been recomputed, none after it");
        problem.setProperty("lease", ex.fence().lease());
        problem.setProperty("fencingToken", ex.fence().token());
        problem.setProperty("highestSeen", ex.highestSeen());
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
    }

    /**
     * A row stayed locked beyond the lock wait timeout, or a deadlock, during a recompute: the tasks before it were
     * recomputed, this one and the rest were not. Recomputing is idempotent, so the whole call can be repeated.
     */
    @ExceptionHandler(PessimisticLockingFailureException.class)
    ResponseEntity<ProblemDetail> busy(PessimisticLockingFailureException ex) {
        ProblemDetail problem = Problems.of(
                HttpStatus.SERVICE_UNAVAILABLE,
                "busy",
                "Busy",
                "a task row stayed locked; tasks before it may have been recomputed; the request can be repeated"
                        + " as it is");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .body(problem);
    }

    private static int bucketCount(Integer bucketCount) {
        if (bucketCount == null) {
            throw new InvalidRequest("bucketCount", "is required");
        }
        if (bucketCount < 1 || bucketCount > FactDigestSql.MAX_BUCKETS || Integer.bitCount(bucketCount) != 1) {
            throw new InvalidRequest(
                    "bucketCount",
                    "must be a power of two between 1 and " + FactDigestSql.MAX_BUCKETS + ", was " + bucketCount);
        }
        return bucketCount;
    }

    private static int[] buckets(List<Integer> buckets, int bucketCount) {
        if (buckets == null) {
            return new int[0];
        }
        if (buckets.size() > LinkFacts.MAX_PAGE_BUCKETS) {
            throw new InvalidRequest(
                    "buckets", "must name at most " + LinkFacts.MAX_PAGE_BUCKETS + ", named " + buckets.size());
        }
        int[] result = new int[buckets.size()];
        for (int i = 0; i < result.length; i++) {
            Integer bucket = buckets.get(i);
            if (bucket == null || bucket < 0 || bucket >= bucketCount) {
                throw new InvalidRequest(
                        "buckets", "must be between 0 and " + (bucketCount - 1) + ", one was " + bucket);
            }
            result[i] = bucket;
        }
        return result;
    }

    private static Fence fence(RecomputeRequest request) {
        String lease = request.lease();
        if (lease == null || lease.isBlank() || lease.length() > Fence.MAX_LEASE_LENGTH) {
            throw new InvalidRequest(
                    "lease",
                    "is required: the name of the caller's lease, 1 to " + Fence.MAX_LEASE_LENGTH + " characters");
        }
        if (request.fencingToken() == null || request.fencingToken() < 1) {
            throw new InvalidRequest("fencingToken", "is required: the positive fencing token of the caller's lease");
        }
        return new Fence(lease, request.fencingToken());
    }

    private static List<String> ids(String field, List<String> ids, int max) {
        if (ids == null) {
            throw new InvalidRequest(field, "is required");
        }
        if (ids.size() > max) {
            throw new InvalidRequest(field, "must name at most " + max + ", named " + ids.size());
        }
        if (ids.stream().anyMatch(id -> id == null || id.isBlank())) {
            throw new InvalidRequest(field, "must not contain null or blank ids");
        }
        return ids;
    }

    /** A request that names what is wrong with it: answered 400. */
    static final class InvalidRequest extends RuntimeException {

        private final String field;

        InvalidRequest(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }
    }

    /**
     * @param buckets the buckets to page through; missing or empty: all links
     * @param after the order id to continue after; missing: from the first
     * @param limit 1 to 5000, default 1000
     */
    record FactsRequest(
            Integer bucketCount,
            @Nullable List<Integer> buckets,
            @Nullable String after,
            @Nullable Integer limit) {}

    record ByOrderRequest(List<String> orderIds) {}

    record TaskIdsRequest(@Nullable List<String> taskIds) {}

    /**
     * @param taskIds at most 1000
     * @param lease the name of the caller's lease (order-service's reconciliation: {@code reconciliation})
     * @param fencingToken the fencing token of the caller's acquisition of {@code lease}
     */
    record RecomputeRequest(List<String> taskIds, String lease, Long fencingToken) {}

    record FactView(String orderId, String taskId, String status, long version) {

        static List<FactView> of(List<LinkFact> facts) {
            return facts.stream()
                    .map(f -> new FactView(f.orderId(), f.taskId(), f.status(), f.version()))
                    .toList();
        }
    }

    /** @param next the order id to continue after when the page was full, else {@code null} */
    record Facts(List<FactView> facts, @Nullable String next) {}

    record FactsByOrder(List<FactView> facts) {}

    record CounterMismatches(List<CounterMismatch> mismatches) {}

    /** A found task has every member; an unknown one only {@code taskId} and {@code found: false}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RecountView(
            String taskId,
            boolean found,
            @Nullable Integer assignedBefore,
            @Nullable Integer deliveredBefore,
            @Nullable Integer assignedAfter,
            @Nullable Integer deliveredAfter,
            @Nullable Boolean changed) {

        static RecountView of(CounterRecount recount) {
            if (!recount.found()) {
                return new RecountView(recount.taskId(), false, null, null, null, null, null);
            }
            return new RecountView(
                    recount.taskId(),
                    true,
                    recount.assignedBefore(),
                    recount.deliveredBefore(),
                    recount.assignedAfter(),
                    recount.deliveredAfter(),
                    recount.changed());
        }
    }

    record Recomputed(List<RecountView> results) {}

    /** @param positions per partition: {@code topic}, {@code partition}, {@code offset} (the next record to apply) */
    record Positions(String group, List<ConsumerPositions.Position> positions) {}
}
