package io.fleetsaga.order.saga.web;

import io.fleetsaga.order.saga.AssignmentSaga;
import io.fleetsaga.order.saga.AssignmentSagas;
import io.fleetsaga.order.saga.CommandDelivery;
import io.fleetsaga.order.saga.SagaStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.Nullable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Ops API of the saga: which assignments are running (and whether they wait for the broker), ended or stuck. */
@RestController
@RequestMapping("/api/ops/sagas")
@Tag(name = "Sagas (ops)")
class SagaOpsController {

    private final AssignmentSagas sagas;

    SagaOpsController(AssignmentSagas sagas) {
        this.sagas = sagas;
    }

    /** Sagas in a status (all when absent), most recently changed first. */
    @Operation(
            operationId = "listSagas",
            summary = "List assignment sagas, most recently changed first",
            description = "Of one status (STARTED, CONFIRMED, COMPENSATED, STUCK) or all; limit 1 to 1000. A running"
                    + " saga's command is IN_OUTBOX (waiting for the broker: no deadline runs), PARKED (blocked until"
                    + " the outbox event commandEventId is requeued), SENT (deadlineAt runs from commandSentAt) or"
                    + " UNTRACKED (no longer in the outbox).")
    @GetMapping
    SagaList list(
            @RequestParam(required = false) SagaStatus status,
            @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        return new SagaList(sagas.list(status, limit).stream().map(SagaView::of).toList());
    }

    record SagaList(List<SagaView> sagas) {}

    /**
     * One saga as ops see it.
     *
     * @param deadlineAt when the current attempt times out; {@code null} when the saga ended or its command has not
     *     reached the broker
     * @param command where the current attempt's command is
     * @param commandEventId the outbox event of that command ({@code null} for sagas older than command tracking)
     * @param commandSentAt when the broker acknowledged it
     */
    @Schema(name = "AssignmentSaga")
    record SagaView(
            UUID id,
            String orderId,
            String taskId,
            long orderVersion,
            SagaStatus status,
            int attempts,
            @Nullable Instant deadlineAt,
            CommandDelivery command,
            @Nullable UUID commandEventId,
            @Nullable Instant commandSentAt,
            @Nullable String reason,
            Instant createdAt,
            Instant updatedAt) {

        static SagaView of(AssignmentSaga saga) {
            return new SagaView(
                    saga.id(),
                    saga.orderId(),
                    saga.taskId(),
                    saga.orderVersion(),
                    saga.status(),
                    saga.attempts(),
                    saga.deadline().orElse(null),
                    saga.command().delivery(),
                    saga.command().eventId(),
                    saga.command().sentAt(),
                    saga.reason(),
                    saga.createdAt(),
                    saga.updatedAt());
        }
    }
}
