package io.fleetsaga.order.saga.web;

import io.fleetsaga.order.saga.AssignmentSaga;
import io.fleetsaga.order.saga.AssignmentSagas;
import io.fleetsaga.order.saga.SagaStatus;
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
class SagaOpsController {

    private final AssignmentSagas sagas;

    SagaOpsController(AssignmentSagas sagas) {
        this.sagas = sagas;
    }

    /** Sagas in a status (all when absent), most recently changed first. */
    @GetMapping
    SagaList list(
            @RequestParam(required = false) SagaStatus status,
            @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        return new SagaList(sagas.list(status, limit));
    }

    record SagaList(List<AssignmentSaga> sagas) {}
}
