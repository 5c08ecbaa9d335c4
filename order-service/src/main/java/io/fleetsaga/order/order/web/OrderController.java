package io.fleetsaga.order.order.web;

import io.fleetsaga.order.idempotency.web.IdempotentResponses;
import io.fleetsaga.order.order.AssignmentSummary;
import io.fleetsaga.order.order.OrderChange;
import io.fleetsaga.order.order.OrderDetails;
import io.fleetsaga.order.order.OrderNotFoundException;
import io.fleetsaga.order.order.OrderService;
import io.fleetsaga.order.order.OrderSnapshot;
import io.fleetsaga.order.order.StatusChange;
import io.fleetsaga.order.saga.AssignmentSagas;
import io.fleetsaga.order.saga.SagaStarted;
import io.fleetsaga.order.saga.SagaStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.Nullable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Dispatcher API: create, read, assign and move orders through their life cycle (docs/order-api.md).
 *
 * <p>Every order response carries {@code ETag: "<version>"}; every change honours {@code If-Match} (a stale
 * version is a 412 and changes nothing; without it the state machine alone decides). Errors are RFC 9457
 * problem details ({@link ProblemHandling}).
 *
 * <p>Every write renders its response inside its transaction too ({@link IdempotentResponses#recording}), so that
 * under an {@code Idempotency-Key} the response commits with the effect and a retry gets exactly it.
 */
@RestController
@RequestMapping("/api/orders")
@Tag(name = "Orders")
class OrderController {

    static final String ID_PATTERN = "[A-Za-z0-9._:-]+";

    private final OrderService orders;
    private final AssignmentSagas sagas;
    private final IdempotentResponses idempotency;

    OrderController(OrderService orders, AssignmentSagas sagas, IdempotentResponses idempotency) {
        this.orders = orders;
        this.sagas = sagas;
        this.idempotency = idempotency;
    }

    @Operation(
            operationId = "createOrder",
            summary = "Create an order",
            description = "Status CREATED; the id is generated (`o-<uuid>`) when the body or its `orderId` is absent;"
                    + " 409 when an order with this id exists.")
    @ApiResponse(responseCode = "201", description = "Created; `Location` and `ETag` of the new order")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping
    ResponseEntity<OrderView> create(@Valid @RequestBody(required = false) CreateOrder request) {
        String orderId = request == null || request.orderId() == null ? "o-" + UUID.randomUUID() : request.orderId();
        return created(orders.create(orderId, idempotency.recording(OrderController::created)));
    }

    private static ResponseEntity<OrderView> created(OrderSnapshot order) {
        return ResponseEntity.created(URI.create("/api/orders/" + order.orderId()))
                .eTag(ETags.of(order.version()))
                .body(OrderView.of(order));
    }

    @Operation(
            operationId = "getOrder",
            summary = "Read an order with its latest assignment and its history",
            description = "Read in one transaction; `ETag` is the order's version.")
    @ApiResponse(responseCode = "200", description = "The order")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{orderId}")
    ResponseEntity<OrderDetailsView> get(@PathVariable String orderId) {
        OrderDetails details = orders.details(orderId).orElseThrow(() -> new OrderNotFoundException(orderId));
        return ResponseEntity.ok().eTag(ETags.of(details.order().version())).body(OrderDetailsView.of(details));
    }

    /** Starts the saga "assign order"; 202: the outcome arrives asynchronously, visible on the order. */
    @Operation(
            operationId = "assignOrder",
            summary = "Assign an order to a task (starts the saga)",
            description = "The order becomes ASSIGNMENT_PENDING; assignment-service's answer arrives asynchronously"
                    + " and shows on the order (ASSIGNED, or back to CREATED with the reason).")
    @ApiResponse(responseCode = "202", description = "Saga started; `Location` of the order")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(responseCode = "412", ref = "PreconditionFailed")
    @PostMapping("/{orderId}/assignment")
    ResponseEntity<AssignmentAccepted> assign(
            @PathVariable String orderId,
            @Valid @RequestBody AssignOrder request,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        return accepted(sagas.start(
                orderId,
                request.taskId(),
                ETags.expectedVersion(ifMatch),
                idempotency.recording(OrderController::accepted)));
    }

    private static ResponseEntity<AssignmentAccepted> accepted(SagaStarted started) {
        return ResponseEntity.accepted()
                .location(URI.create("/api/orders/" + started.order().orderId()))
                .eTag(ETags.of(started.order().version()))
                .body(AssignmentAccepted.of(started));
    }

    @Operation(operationId = "pickUpOrder", summary = "Pick up an order", description = "ASSIGNED → DELIVERING")
    @ApiResponse(responseCode = "200", description = "The changed order")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(responseCode = "412", ref = "PreconditionFailed")
    @PostMapping("/{orderId}/pickup")
    ResponseEntity<OrderView> pickUp(
            @PathVariable String orderId,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        return change(orderId, StatusChange.PICK_UP, null, ifMatch);
    }

    @Operation(operationId = "deliverOrder", summary = "Deliver an order", description = "DELIVERING → DELIVERED")
    @ApiResponse(responseCode = "200", description = "The changed order")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(responseCode = "412", ref = "PreconditionFailed")
    @PostMapping("/{orderId}/delivery")
    ResponseEntity<OrderView> deliver(
            @PathVariable String orderId,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        return change(orderId, StatusChange.DELIVER, null, ifMatch);
    }

    @Operation(
            operationId = "failOrderDelivery",
            summary = "Report a failed delivery",
            description = "DELIVERING → ON_HOLD, with the reason")
    @ApiResponse(responseCode = "200", description = "The changed order")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(responseCode = "412", ref = "PreconditionFailed")
    @PostMapping("/{orderId}/delivery-failure")
    ResponseEntity<OrderView> failDelivery(
            @PathVariable String orderId,
            @Valid @RequestBody Reason request,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        return change(orderId, StatusChange.FAIL_DELIVERY, request.reason(), ifMatch);
    }

    @Operation(
            operationId = "receiveOrder",
            summary = "Receive an order back at the hub",
            description = "ON_HOLD → RECEIVED; the order leaves its task")
    @ApiResponse(responseCode = "200", description = "The changed order")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(responseCode = "412", ref = "PreconditionFailed")
    @PostMapping("/{orderId}/receipt")
    ResponseEntity<OrderView> receive(
            @PathVariable String orderId,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        return change(orderId, StatusChange.RECEIVE, null, ifMatch);
    }

    @Operation(
            operationId = "cancelOrder",
            summary = "Cancel an order",
            description =
                    "From every status except DELIVERED and CANCELLED; ends a pending assignment saga (COMPENSATED)")
    @ApiResponse(responseCode = "200", description = "The changed order")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(responseCode = "412", ref = "PreconditionFailed")
    @PostMapping("/{orderId}/cancellation")
    ResponseEntity<OrderView> cancel(
            @PathVariable String orderId,
            @Valid @RequestBody Reason request,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        return change(orderId, StatusChange.CANCEL, request.reason(), ifMatch);
    }

    private ResponseEntity<OrderView> change(String orderId, StatusChange change, String reason, String ifMatch) {
        return changed(orders.change(
                orderId,
                change,
                reason,
                ETags.expectedVersion(ifMatch),
                idempotency.recording(OrderController::changed)));
    }

    private static ResponseEntity<OrderView> changed(OrderSnapshot order) {
        return ResponseEntity.ok().eTag(ETags.of(order.version())).body(OrderView.of(order));
    }

    /** @param orderId the new order's id; generated ({@code o-<uuid>}) when absent */
    record CreateOrder(
            @Nullable
            @Size(min = 1, max = 64)
            @Pattern(regexp = ID_PATTERN, message = "letters, digits and . _ : - only")
            String orderId) {}

    record AssignOrder(
            @NotBlank @Size(max = 64) @Pattern(regexp = ID_PATTERN, message = "letters, digits and . _ : - only")
            String taskId) {}

    record Reason(@NotBlank @Size(max = 500) String reason) {}

    record OrderView(
            String orderId,
            String status,
            @Nullable String taskId,
            @Nullable String statusReason,
            long version,
            Instant createdAt,
            Instant updatedAt) {
        static OrderView of(OrderSnapshot order) {
            return new OrderView(
                    order.orderId(),
                    order.status().name(),
                    order.taskId(),
                    order.statusReason(),
                    order.version(),
                    order.createdAt(),
                    order.updatedAt());
        }
    }

    record OrderDetailsView(
            String orderId,
            String status,
            @Nullable String taskId,
            @Nullable String statusReason,
            long version,
            Instant createdAt,
            Instant updatedAt,
            @Nullable AssignmentSummary assignment,
            List<OrderChange> history) {
        static OrderDetailsView of(OrderDetails details) {
            OrderSnapshot order = details.order();
            return new OrderDetailsView(
                    order.orderId(),
                    order.status().name(),
                    order.taskId(),
                    order.statusReason(),
                    order.version(),
                    order.createdAt(),
                    order.updatedAt(),
                    details.assignment(),
                    details.history());
        }
    }

    record AssignmentAccepted(String sagaId, String orderId, String taskId, String sagaStatus, OrderView order) {
        static AssignmentAccepted of(SagaStarted started) {
            return new AssignmentAccepted(
                    started.sagaId().toString(),
                    started.order().orderId(),
                    started.taskId(),
                    SagaStatus.STARTED.name(),
                    OrderView.of(started.order()));
        }
    }
}
