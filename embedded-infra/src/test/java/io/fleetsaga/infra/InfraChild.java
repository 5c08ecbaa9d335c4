package io.fleetsaga.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Main class of a separate JVM for {@link NoLeftoverProcessesIT}: starts the infrastructure, reports, waits. */
final class InfraChild {

    private InfraChild() {}

    public static void main(String[] args) throws Exception {
        RealInfrastructure infrastructure = RealInfrastructure.get();
        KafkaBrokerProcess broker = infrastructure.brokerProcess().orElseThrow();
        EmbeddedMariaDb mariaDb = (EmbeddedMariaDb) infrastructure.database();
        Path report = Path.of(args[0]);
        Path temporary = Path.of(args[0] + ".tmp");
        Files.writeString(
                temporary,
                broker.pid() + " " + mariaDb.pid() + " " + mariaDb.dataDir().getParent());
        Files.move(temporary, report, StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join(); // until killed
    }
}
