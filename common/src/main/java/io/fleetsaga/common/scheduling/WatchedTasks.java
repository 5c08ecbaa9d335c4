package io.fleetsaga.common.scheduling;

import java.util.List;

/**
 * A component that runs background loops and reports their progress to the {@link BackgroundTaskWatchdog}, which
 * finds every bean of this type.
 */
public interface WatchedTasks {

    /** The loops running now (none when the component is stopped). */
    List<TaskStatus> taskStatuses();
}
