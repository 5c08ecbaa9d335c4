package io.fleetsaga.assignment.task;

import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Applies a {@link LinkChange} in the caller's transaction: first the counter deltas, one atomic increment
 * per task in task-id order (which also locks the task rows in a fixed order, and before the link row's
 * foreign-key check needs them), then the link row.
 */
@Component
class LinkWriter {

    private final TaskRepository tasks;
    private final LinkRepository links;

    LinkWriter(TaskRepository tasks, LinkRepository links) {
        this.tasks = tasks;
        this.links = links;
    }

    /**
     * @return the change as applied: without the new link when its task does not exist here (the order's
     *     state names a task this service never created, so there is nothing to link it to)
     */
    LinkChange apply(LinkChange change) {
        LinkChange applied = change;
        for (CounterDelta delta : change.deltas()) {
            if (!tasks.addToCounters(delta)) {
                applied = applied.withoutLinkTo(delta.taskId());
            }
        }
        links.write(applied);
        return applied;
    }

    /** The tasks {@code applied} made the order leave or join, with their couriers (see {@link LinkChange}). */
    List<TaskMembershipChange> membershipChanges(LinkChange applied, OrderState cause) {
        return applied.membershipChanges(cause, tasks::courierOf);
    }
}
