package io.fleetsaga.order.reconciliation.web;

import io.fleetsaga.common.web.Problems;
import io.fleetsaga.order.reconciliation.Drift;
import io.fleetsaga.order.reconciliation.DriftType;
import io.fleetsaga.order.reconciliation.InvalidRunRequestException;
import io.fleetsaga.order.reconciliation.ParkedHead;
import io.fleetsaga.order.reconciliation.ReconciliationService;
import io.fleetsaga.order.reconciliation.RunInProgressException;
import io.fleetsaga.order.reconciliation.RunReport;
import io.fleetsaga.order.reconciliation.RunRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.Nullable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ops API of the reconciliation (role OPS): start a run, read one, list recent ones, list a run's drift entries
 * (the affected order ids). Errors are problem details. See docs/reconciliation.md.
 */
@RestController
@RequestMapping("/api/ops/reconciliation/runs")
@Tag(name = "Reconciliation (ops)")
class ReconciliationController {

    private final ReconciliationService service;

    ReconciliationController(ReconciliationService service) {
        this.service = service;
    }

    /**
     * Starts a run in the background: 202 with the run (status RUNNING) and its URL in {@code Location}; 409 when
     * a run is in progress.
     */
    @Operation(
            operationId = "startReconciliationRun",
            summary = "Start a reconciliation run (dry run or repair)",
            description = "Every field is optional: mode DRY_RUN, scope ALL, method DIGEST. The run goes on in the"
                    + " background; 409 when a run is in progress (the problem's `runningRunId` names it).")
    @ApiResponse(responseCode = "202", description = "Started: the run (RUNNING), its URL in `Location`")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping
    ResponseEntity<RunReport> start(@RequestBody(required = false) StartRun body, Principal principal) {
        RunRequest request;
        try {
            request = (body == null ? new StartRun(null, null, null, null, null) : body).toRequest();
        } catch (InvalidRunRequestException e) {
            throw problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", e.getMessage(), null);
        }
        try {
            RunReport run = service.start(request, principal == null ? null : principal.getName());
            return ResponseEntity.accepted()
                    .location(URI.create("/api/ops/reconciliation/runs/" + run.id()))
                    .body(run);
        } catch (RunInProgressException e) {
            throw problem(HttpStatus.CONFLICT, "run-in-progress", "Run in progress", e.getMessage(), e.runningRunId());
        }
    }

    /** The most recent runs, newest first. */
    @Operation(operationId = "listReconciliationRuns", summary = "List the most recent runs, newest first")
    @GetMapping
    RunList recent(@RequestParam(defaultValue = "20") @Min(1) @Max(200) int limit) {
        return new RunList(service.recent(limit));
    }

    @Operation(operationId = "getReconciliationRun", summary = "Read a run with its drift counts")
    @ApiResponse(responseCode = "200", description = "The run")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{runId}")
    RunReport run(@PathVariable long runId) {
        return service.find(runId).orElseThrow(() -> notFound(runId));
    }

    /**
     * The run's drift entries in the order they were found, optionally of one type; page with {@code after} = the
     * previous page's {@code next}.
     */
    @Operation(
            operationId = "listReconciliationDrift",
            summary = "List a run's drift entries (the affected order ids)",
            description = "In the order they were found, optionally of one type (`STALE_STATUS` or `stale_status`);"
                    + " page with `after` = the previous page's `next`.")
    @ApiResponse(responseCode = "200", description = "A page of drift entries")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{runId}/drift")
    DriftPage drift(
            @PathVariable long runId,
            @RequestParam(required = false) String type,
            @RequestParam(defaultValue = "0") @Min(0) long after,
            @RequestParam(defaultValue = "1000") @Min(1) @Max(10000) int limit) {
        DriftType driftType = type == null ? null : driftType(type);
        service.find(runId).orElseThrow(() -> notFound(runId));
        List<DriftEntry> items = service.drift(runId, driftType, after, limit).stream()
                .map(stored -> DriftEntry.of(stored.id(), stored.drift()))
                .toList();
        Long next = items.size() < limit ? null : items.get(items.size() - 1).id();
        return new DriftPage(runId, driftType, items, next);
    }

    /** {@code STALE_STATUS} or the metric tag {@code stale_status}. */
    private static DriftType driftType(String type) {
        try {
            return DriftType.valueOf(type.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw problem(
                    HttpStatus.BAD_REQUEST,
                    "invalid-request",
                    "Invalid request",
                    "type must be one of " + java.util.Arrays.toString(DriftType.values()) + " (any case)",
                    null);
        }
    }

    /**
     * A start request; every field is optional: mode DRY_RUN, scope ALL, method DIGEST.
     *
     * @param orderIds the orders of scope ORDERS (at most 10,000)
     * @param changedSince the lower bound of scope CHANGED_SINCE
     */
    record StartRun(
            @Nullable RunRequest.Mode mode,
            @Nullable RunRequest.Scope scope,
            @Nullable RunRequest.Method method,
            @Nullable List<String> orderIds,
            @Nullable Instant changedSince) {

        RunRequest toRequest() {
            return new RunRequest(
                    mode == null ? RunRequest.Mode.DRY_RUN : mode,
                    scope == null ? RunRequest.Scope.ALL : scope,
                    method == null ? RunRequest.Method.DIGEST : method,
                    orderIds,
                    changedSince);
        }
    }

    record RunList(List<RunReport> runs) {}

    record DriftEntry(
            long id,
            DriftType type,
            @Nullable String orderId,
            @Nullable String taskId,
            @Nullable String expected,
            @Nullable String actual,
            @Nullable String repair,
            @Nullable String repairDetail,
            @Nullable HeldBackBy event) {

        static DriftEntry of(long id, Drift drift) {
            return new DriftEntry(
                    id,
                    drift.type(),
                    drift.orderId(),
                    drift.taskId(),
                    drift.expected(),
                    drift.actual(),
                    drift.repair() == null ? null : drift.repair().name(),
                    drift.repairDetail(),
                    drift.parked() == null ? null : HeldBackBy.of(drift.parked()));
        }
    }

    /**
     * The parked outbox event that holds a {@code BLOCKED} order back.
     *
     * @param version the order version the event carries
     * @param error why it was parked
     */
    record HeldBackBy(
            String eventId,
            String eventType,
            @Nullable Long version,
            @Nullable String error) {

        static HeldBackBy of(ParkedHead parked) {
            return new HeldBackBy(parked.eventId(), parked.eventType(), parked.version(), parked.error());
        }
    }

    record DriftPage(
            long runId,
            @Nullable DriftType type,
            List<DriftEntry> items,
            @Nullable Long next) {}

    private static ErrorResponseException notFound(long runId) {
        return problem(HttpStatus.NOT_FOUND, "run-not-found", "Run not found", "no reconciliation run " + runId, null);
    }

    private static ErrorResponseException problem(
            HttpStatus status, String type, String title, String detail, Long runningRunId) {
        ProblemDetail problem = Problems.of(status, type, title, detail);
        if (runningRunId != null) {
            problem.setProperty("runningRunId", runningRunId);
        }
        return new ErrorResponseException(status, problem, null);
    }
}
