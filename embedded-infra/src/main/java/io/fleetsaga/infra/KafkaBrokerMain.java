package io.fleetsaga.infra;

import java.lang.reflect.InvocationTargetException;
import org.apache.kafka.common.utils.Exit;

/**
 * Main class of the broker process started by {@link KafkaBrokerProcess}. In the broker's JVM it
 *
 * <ol>
 *   <li>halts the broker when the JVM that started it is gone (even after {@code kill -9}),
 *   <li>formats the storage ({@code kafka.tools.StorageTool format}) when asked to, saving the start
 *       of a second JVM,
 *   <li>runs {@code kafka.Kafka}.
 * </ol>
 *
 * <p>{@link KafkaBrokerProcess} copies this class file into the data directory, so it must use
 * nothing but the JDK and Kafka's server jars, and compile to a single class file (no nested or
 * anonymous classes; lambdas are fine).
 */
final class KafkaBrokerMain {

    static final String PARENT_PID_PROPERTY = "fleetsaga.infra.parentPid";
    static final String FORMAT_CLUSTER_ID_PROPERTY = "fleetsaga.infra.formatClusterId";

    private KafkaBrokerMain() {}

    /** Arguments: the path of {@code server.properties}. */
    public static void main(String[] args) throws Throwable {
        String parentPid = System.getProperty(PARENT_PID_PROPERTY);
        if (parentPid != null && !parentPid.isBlank()) {
            watchParent(Long.parseLong(parentPid.strip()));
        }
        String clusterId = System.getProperty(FORMAT_CLUSTER_ID_PROPERTY);
        if (clusterId != null && !clusterId.isBlank()) {
            format(clusterId.strip(), args[0]);
        }
        run("kafka.Kafka", args);
    }

    private static void watchParent(long pid) {
        ProcessHandle.of(pid)
                .ifPresentOrElse(
                        parent -> parent.onExit()
                                .thenRun(() -> Runtime.getRuntime().halt(3)),
                        () -> Runtime.getRuntime().halt(3));
    }

    /** {@code StorageTool format}, which ends with {@code Exit.exit(code)}: unwind on 0, exit otherwise. */
    private static void format(String clusterId, String serverProperties) throws Throwable {
        RuntimeException formatted = new RuntimeException("storage formatted");
        Exit.setExitProcedure((code, message) -> {
            if (code == 0) {
                throw formatted;
            }
            System.err.println("Formatting the storage failed (" + code + "): " + message);
            System.exit(code);
        });
        try {
            run(
                    "kafka.tools.StorageTool",
                    new String[] {"format", "--ignore-formatted", "-t", clusterId, "-c", serverProperties});
        } catch (RuntimeException e) {
            if (e != formatted) {
                throw e;
            }
        } finally {
            // Kafka's default (resetExitProcedure() would install a procedure that throws)
            Exit.setExitProcedure((code, message) -> System.exit(code));
        }
    }

    private static void run(String mainClass, String[] args) throws Throwable {
        try {
            Class.forName(mainClass).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
