package io.fleetsaga.order.saga.web;

import io.fleetsaga.order.saga.AssignmentSaga;
import io.fleetsaga.order.saga.AssignmentSagas;
import io.fleetsaga.order.saga.SagaStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Ops API of the saga: which assignments are running, ended or stuck. */
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
            description = "Of one status (STARTED, CONFIRMED, COMPENSATED, STUCK) or all; limit 1 to 1000.")
    @GetMapping
    SagaList list(
            @RequestParam(required = false) SagaStatus status,
            @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        return new SagaList(sagas.list(status, limit));
    }

    record SagaList(List<AssignmentSaga> sagas) {}
}
