package io.fleetsaga.assignment.task.web;

import io.fleetsaga.assignment.task.AssignmentTask;
import io.fleetsaga.assignment.task.OrderStatus;
import io.fleetsaga.assignment.task.TaskCreation;
import io.fleetsaga.assignment.task.TaskOverview;
import io.fleetsaga.assignment.task.TaskService;
import io.fleetsaga.common.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.Nullable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Task API: create a task, close it, read its real-time overview. Errors are RFC 9457 problem details. */
@RestController
@RequestMapping("/api/tasks")
@Tag(name = "Tasks")
class TaskController {

    private static final String ID = "[A-Za-z0-9._:-]+";

    private final TaskService tasks;

    TaskController(TaskService tasks) {
        this.tasks = tasks;
    }

    /** 201 with the new task; 200 when the same task (id, courier, capacity) exists; 409 for another one. */
    @Operation(
            operationId = "createTask",
            summary = "Create a task",
            description = "The id is generated (`t-<uuid>`) when absent. A retry is safe: 200 when a task with this"
                    + " id, courier and capacity exists already; 409 when one with this id has other attributes.")
    @ApiResponse(
            responseCode = "201",
            description = "Created; `Location` of the task",
            content = @Content(schema = @Schema(implementation = TaskView.class)))
    @ApiResponse(
            responseCode = "200",
            description = "The same task existed already; nothing changed",
            content = @Content(schema = @Schema(implementation = TaskView.class)))
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping
    ResponseEntity<?> create(@Valid @RequestBody CreateTask request) {
        TaskCreation creation = tasks.create(request.taskId(), request.courierId(), request.capacity());
        if (creation instanceof TaskCreation.Created created) {
            return ResponseEntity.created(location(created.task().task())).body(TaskView.of(created.task()));
        }
        if (creation instanceof TaskCreation.AlreadyExists existing) {
            return ResponseEntity.ok()
                    .location(location(existing.task().task()))
                    .body(TaskView.of(existing.task()));
        }
        AssignmentTask other = ((TaskCreation.Conflict) creation).existing();
        ProblemDetail problem = Problems.of(
                HttpStatus.CONFLICT,
                "task-exists",
                "Task exists",
                "task " + other.id() + " exists already for courier " + other.courierId() + " with capacity "
                        + other.capacity());
        problem.setProperty("taskId", other.id());
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
    }

    /** Closes the task (idempotent): it refuses new orders, its links stay. */
    @Operation(
            operationId = "closeTask",
            summary = "Close a task",
            description = "Idempotent: a closed task refuses new orders, its links stay.")
    @ApiResponse(
            responseCode = "200",
            description = "The task, now CLOSED",
            content = @Content(schema = @Schema(implementation = TaskView.class)))
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @PostMapping("/{taskId}/closure")
    ResponseEntity<?> close(@PathVariable String taskId) {
        return tasks.close(taskId)
                .<ResponseEntity<?>>map(overview -> ResponseEntity.ok(TaskView.of(overview)))
                .orElseGet(() -> notFound(taskId));
    }

    @Operation(
            operationId = "getTask",
            summary = "Read a task's real-time overview",
            description = "Counters, counts by order status and the task's orders.")
    @ApiResponse(
            responseCode = "200",
            description = "The task",
            content = @Content(schema = @Schema(implementation = TaskView.class)))
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{taskId}")
    ResponseEntity<?> overview(@PathVariable String taskId) {
        return tasks.overview(taskId)
                .<ResponseEntity<?>>map(overview -> ResponseEntity.ok(TaskView.of(overview)))
                .orElseGet(() -> notFound(taskId));
    }

    private static URI location(AssignmentTask task) {
        return URI.create("/api/tasks/" + task.id());
    }

    private static ResponseEntity<ProblemDetail> notFound(String taskId) {
        ProblemDetail problem =
                Problems.of(HttpStatus.NOT_FOUND, "task-not-found", "Task not found", "no task " + taskId);
        problem.setProperty("taskId", taskId);
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
    }

    record CreateTask(
            @Nullable @Size(max = 64) @Pattern(regexp = ID, message = "letters, digits and . _ : - only")
            String taskId,

            @NotBlank @Size(max = 64) @Pattern(regexp = ID, message = "letters, digits and . _ : - only")
            String courierId,

            @NotNull @Min(1) @Max(1000) Integer capacity) {}

    record TaskView(
            String taskId,
            String courierId,
            int capacity,
            String status,
            int assignedCount,
            int deliveredCount,
            Map<OrderStatus, Integer> countsByStatus,
            List<OrderView> orders,
            Instant createdAt,
            Instant updatedAt,
            @Nullable Instant closedAt) {

        static TaskView of(TaskOverview overview) {
            AssignmentTask task = overview.task();
            return new TaskView(
                    task.id(),
                    task.courierId(),
                    task.capacity(),
                    task.status().name(),
                    task.assignedCount(),
                    task.deliveredCount(),
                    overview.countsByStatus(),
                    overview.links().stream()
                            .map(link ->
                                    new OrderView(link.orderId(), link.status().name(), link.orderVersion()))
                            .toList(),
                    task.createdAt(),
                    task.updatedAt(),
                    task.closedAt());
        }
    }

    record OrderView(String orderId, String status, long orderVersion) {}
}
