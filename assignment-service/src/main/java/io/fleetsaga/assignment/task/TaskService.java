package io.fleetsaga.assignment.task;

import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Use cases of the task API: create, close, read the overview. One transaction per use case, opened here
 * explicitly (no annotation that a call through {@code this} could bypass).
 */
@Service
public class TaskService {

    private final TaskRepository tasks;
    private final LinkRepository links;
    private final TransactionTemplate write;
    private final TransactionTemplate snapshot;

    TaskService(TaskRepository tasks, LinkRepository links, PlatformTransactionManager transactions) {
        this.tasks = tasks;
        this.links = links;
        this.write = new TransactionTemplate(transactions);
        // the overview reads the task row and its links; REPEATABLE READ gives both statements one snapshot,
        // so the counters shown always belong to the orders shown (the service default is READ COMMITTED)
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setReadOnly(true);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    }

    /**
     * Creates an open, empty task. Repeating the request with the same id and attributes changes nothing and
     * answers {@link TaskCreation.AlreadyExists}, so a client that lost the response can safely retry.
     *
     * @param taskId the id to use, or {@code null} to generate one
     */
    public TaskCreation create(String taskId, String courierId, int capacity) {
        String id = taskId != null ? taskId : "t-" + UUID.randomUUID();
        return write.execute(tx -> {
            if (tasks.insert(id, courierId, capacity)) {
                return new TaskCreation.Created(read(id).orElseThrow());
            }
            AssignmentTask existing = tasks.find(id).orElseThrow();
            return existing.isSameAs(courierId, capacity)
                    ? new TaskCreation.AlreadyExists(read(id).orElseThrow())
                    : new TaskCreation.Conflict(existing);
        });
    }

    /**
     * Closes the task: from now on assignment commands are rejected with TASK_CLOSED; its links stay and keep
     * following their orders. Closing a closed task changes nothing.
     *
     * @return the task after closing, or empty if there is no such task
     */
    public Optional<TaskOverview> close(String taskId) {
        return write.execute(tx -> tasks.lock(taskId).flatMap(task -> {
            if (task.close()) {
                tasks.saveStatus(task);
            }
            return read(taskId);
        }));
    }

    /** The task's real-time overview, or empty if there is no such task. */
    public Optional<TaskOverview> overview(String taskId) {
        return snapshot.execute(tx -> read(taskId));
    }

    private Optional<TaskOverview> read(String taskId) {
        return tasks.find(taskId).map(task -> new TaskOverview(task, links.findByTask(taskId)));
    }
}
