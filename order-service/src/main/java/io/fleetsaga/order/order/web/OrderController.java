package io.fleetsaga.order.order.web;

import io.fleetsaga.order.order.FleetOrder;
import io.fleetsaga.order.order.OrderService;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Dispatcher API of the walking skeleton: create and read orders. */
@RestController
@RequestMapping("/api/orders")
class OrderController {

    private final OrderService orders;

    OrderController(OrderService orders) {
        this.orders = orders;
    }

    @PostMapping
    ResponseEntity<?> create(@Valid @RequestBody CreateOrder request) {
        return orders.create(request.orderId())
                .<ResponseEntity<?>>map(order -> ResponseEntity.created(URI.create("/api/orders/" + order.id()))
                        .eTag(Long.toString(order.version()))
                        .body(OrderView.of(order)))
                .orElseGet(() -> {
                    ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                            HttpStatus.CONFLICT, "order " + request.orderId() + " exists already");
                    problem.setTitle("Order exists");
                    return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
                });
    }

    @GetMapping("/{orderId}")
    ResponseEntity<?> get(@PathVariable String orderId) {
        return orders.find(orderId)
                .<ResponseEntity<?>>map(order ->
                        ResponseEntity.ok().eTag(Long.toString(order.version())).body(OrderView.of(order)))
                .orElseGet(() -> {
                    ProblemDetail problem =
                            ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no order " + orderId);
                    problem.setTitle("Order not found");
                    return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
                });
    }

    record CreateOrder(
            @NotBlank
            @Size(max = 64)
            @Pattern(regexp = "[A-Za-z0-9._:-]+", message = "letters, digits and . _ : - only")
            String orderId) {}

    record OrderView(String orderId, String status, String taskId, long version, Instant createdAt, Instant updatedAt) {
        static OrderView of(FleetOrder order) {
            return new OrderView(
                    order.id(),
                    order.status().name(),
                    order.taskId(),
                    order.version(),
                    order.createdAt(),
                    order.updatedAt());
        }
    }
}
