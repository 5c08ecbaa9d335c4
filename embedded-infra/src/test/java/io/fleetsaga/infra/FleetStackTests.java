package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetStackTests {

    @TempDir
    Path dir;

    /** A database server that only records what it was asked to do. */
    static final class RecordingDatabase implements DatabaseServer {

        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public String jdbcUrl(String schema) {
            calls.add("jdbcUrl " + schema);
            return "jdbc:mysql://127.0.0.1:3306/" + schema;
        }

        @Override
        public String username() {
            return "user";
        }

        @Override
        public String password() {
            return "secret";
        }

        @Override
        public void createDatabase(String schema) {
            calls.add("create " + schema);
        }

        @Override
        public void dropDatabase(String schema) {
            calls.add("drop " + schema);
        }

        @Override
        public String serverVersion() {
            return "8.4.3";
        }
    }

    private FleetStack.AttachOptions options(DatabaseServer database, String orders, String assignments) {
        Path missing = dir.resolve("missing.jar");
        return new FleetStack.AttachOptions(
                database,
                () -> "127.0.0.1:9",
                orders,
                assignments,
                UnaryOperator.identity(),
                dir.resolve("logs"),
                new FleetStack.Services(
                        missing,
                        missing,
                        List.of(0),
                        List.of(0),
                        Map.of(),
                        Map.of(),
                        Map.of(),
                        List.of(),
                        Duration.ofSeconds(30),
                        false));
    }

    @Test
    void attachingNeedsOneSchemaPerService() {
        assertThatThrownBy(() -> options(new RecordingDatabase(), "fleet", "FLEET"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("own schema");
    }

    @Test
    void attachingRejectsSchemaNamesTheServerWouldNotTake() {
        assertThatThrownBy(() -> options(new RecordingDatabase(), "orders; drop database x", "assignments"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a schema name");
    }

    @Test
    void withSchemasKeepsEverythingElse() {
        FleetStack.AttachOptions options = options(new RecordingDatabase(), "orders", "assignments")
                .withInstances(2, 1)
                .withSchemas("sys_orders_1", "sys_assignments_1");

        assertThat(options.ordersSchema()).isEqualTo("sys_orders_1");
        assertThat(options.assignmentsSchema()).isEqualTo("sys_assignments_1");
        assertThat(options.services().orderPorts()).containsExactly(0, 0);
    }

    @Test
    void aServiceThatDoesNotStartFailsTheAttachWithoutTouchingTheDatabaseBeyondItsSchemas() {
        RecordingDatabase database = new RecordingDatabase();

        assertThatThrownBy(() -> FleetStack.attach(options(database, "o", "a")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited");
        assertThat(database.calls).containsExactlyInAnyOrder("jdbcUrl o", "jdbcUrl a");
    }
}
