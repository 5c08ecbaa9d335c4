package io.fleetsaga.order.order.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fleetsaga.order.idempotency.IdempotencyClaimLostException;
import io.fleetsaga.order.idempotency.web.IdempotentResponses;
import io.fleetsaga.order.order.ExpectedVersion;
import io.fleetsaga.order.order.IllegalTransitionException;
import io.fleetsaga.order.order.OrderConflictException;
import io.fleetsaga.order.order.OrderNotFoundException;
import io.fleetsaga.order.order.OrderService;
import io.fleetsaga.order.order.OrderSnapshot;
import io.fleetsaga.order.order.OrderVersionMismatchException;
import io.fleetsaga.order.order.StatusChange;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.Nullable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Batch status changes — a courier returning a whole load of parcels to the hub at once, the hot path of
 * incident I-1. Each item is its own transaction (with the same conflict retries as a single call) and
 * gets its own result; one item's failure never undoes or blocks another. The response is 200 whenever
 * the batch itself was valid; the items say what happened.
 *
 * <p><b>With an {@code Idempotency-Key}</b> each applied item is recorded in its own transaction (per-item
 * idempotency, {@link IdempotentResponses#recordingItem}): a retry of the same batch with the same key replays the
 * items applied before — also after a crash in the middle of the batch — and runs only the others. A batch
 * whose items are all final is stored and replayed as a whole; one with a transient item (ERROR, or a CONFLICT
 * "concurrent modification") is not stored ({@link IdempotentResponses#notFinal}), so its retry runs the
 * transient items again.
 */
@RestController
@RequestMapping("/api/orders/status-changes")
@Tag(name = "Orders")
class StatusChangesController {

    static final int MAX_CHANGES = 500;

    private static final Logger log = LoggerFactory.getLogger(StatusChangesController.class);

    private final OrderService orders;
    private final IdempotentResponses idempotency;

    StatusChangesController(OrderService orders, IdempotentResponses idempotency) {
        this.orders = orders;
        this.idempotency = idempotency;
    }

    @Operation(
            operationId = "applyStatusChanges",
            summary = "Apply a batch of status changes, each on its own",
            description = "1 to 500 items; each item is its own transaction and gets its own outcome (APPLIED,"
                    + " CONFLICT, NOT_FOUND, PRECONDITION_FAILED, INVALID, ERROR, with a problem when not applied)."
                    + " 200 whenever the batch itself was valid.")
    @PostMapping
    BatchResult apply(@Valid @RequestBody StatusChanges request) {
        Map<Integer, AppliedItem> appliedBefore = idempotency.recordedItems(AppliedItem.class);
        List<ItemResult> results = new ArrayList<>(request.changes().size());
        for (int index = 0; index < request.changes().size(); index++) {
            AppliedItem applied = appliedBefore.get(index);
            results.add(
                    applied != null ? applied.result() : apply(request.changes().get(index), index));
        }
        if (results.stream().anyMatch(ItemResult::retryable)) {
            idempotency.notFinal();
        }
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        results.forEach(result -> counts.merge(result.outcome(), 1, Integer::sum));
        return new BatchResult(results, counts);
    }

    private ItemResult apply(Change change, int index) {
        String invalid = validate(change);
        if (invalid != null) {
            return new ItemResult(change.orderId(), Outcome.INVALID, null, null, Problems.invalid(invalid));
        }
        try {
            OrderSnapshot order = orders.change(
                    change.orderId(),
                    StatusChange.valueOf(change.action()),
                    change.reason(),
                    change.expectedVersion() == null ? null : ExpectedVersion.of(change.expectedVersion()),
                    idempotency.recordingItem(index, AppliedItem::of));
            return AppliedItem.of(order).result();
        } catch (IdempotencyClaimLostException e) {
            throw e; // a retry of this batch took it over: stop here, the retry answers
        } catch (OrderNotFoundException e) {
            return new ItemResult(change.orderId(), Outcome.NOT_FOUND, null, null, Problems.notFound(e));
        } catch (OrderVersionMismatchException e) {
            return new ItemResult(
                    change.orderId(),
                    Outcome.PRECONDITION_FAILED,
                    e.currentStatus().name(),
                    e.currentVersion(),
                    Problems.versionMismatch(e));
        } catch (IllegalTransitionException e) {
            return new ItemResult(
                    change.orderId(), Outcome.CONFLICT, e.currentStatus().name(), null, Problems.illegalTransition(e));
        } catch (OrderConflictException e) {
            return new ItemResult(change.orderId(), Outcome.CONFLICT, null, null, Problems.concurrentModification(e));
        } catch (RuntimeException e) {
            log.error("status change {} of order {} failed unexpectedly", change.action(), change.orderId(), e);
            return new ItemResult(change.orderId(), Outcome.ERROR, null, null, Problems.unexpected());
        }
    }

    private static String validate(Change change) {
        if (change.orderId() == null || change.orderId().isBlank()) {
            return "orderId is required";
        }
        StatusChange action = parse(change.action());
        if (action == null) {
            return "action must be one of " + Arrays.toString(StatusChange.values());
        }
        if (action.requiresReason()
                && (change.reason() == null || change.reason().isBlank())) {
            return action + " requires a reason";
        }
        if (change.reason() != null && change.reason().length() > 500) {
            return "reason must have at most 500 characters";
        }
        if (change.expectedVersion() != null && change.expectedVersion() < 0) {
            return "expectedVersion must not be negative";
        }
        return null;
    }

    private static StatusChange parse(String action) {
        if (action == null) {
            return null;
        }
        try {
            return StatusChange.valueOf(action);
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    /** Items are checked one by one (an invalid item is an INVALID result, not a failed batch). */
    record StatusChanges(
            @NotNull @Size(min = 1, max = MAX_CHANGES) List<@NotNull Change> changes) {}

    /**
     * @param action {@code PICK_UP}, {@code DELIVER}, {@code FAIL_DELIVERY}, {@code RECEIVE} or {@code CANCEL}
     * @param expectedVersion the version the caller saw; optional
     * @param reason required for {@code FAIL_DELIVERY} and {@code CANCEL}
     */
    record Change(
            String orderId,
            String action,
            @Nullable Long expectedVersion,
            @Nullable String reason) {}

    enum Outcome {
        APPLIED,
        CONFLICT,
        NOT_FOUND,
        PRECONDITION_FAILED,
        INVALID,
        /** Failed unexpectedly (e.g. the database was unreachable); retry the item, the state machine rejects a repeat. */
        ERROR
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ItemResult(
            String orderId,
            Outcome outcome,
            @Nullable String status,
            @Nullable Long version,

            @Nullable @Schema(ref = "#/components/schemas/Problem")
            ProblemDetail problem) {

        /** A retry of the item may end differently: an unexpected failure, or conflicts that kept winning. */
        boolean retryable() {
            return outcome == Outcome.ERROR
                    || (outcome == Outcome.CONFLICT
                            && problem != null
                            && Problems.concurrentModificationType().equals(problem.getType()));
        }
    }

    /** An applied item as recorded under the batch's idempotency key, in the item's transaction. */
    record AppliedItem(String orderId, String status, long version) {

        static AppliedItem of(OrderSnapshot order) {
            return new AppliedItem(order.orderId(), order.status().name(), order.version());
        }

        ItemResult result() {
            return new ItemResult(orderId, Outcome.APPLIED, status, version, null);
        }
    }

    record BatchResult(List<ItemResult> results, Map<Outcome, Integer> counts) {}
}
