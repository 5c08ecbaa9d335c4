package io.fleetsaga.infra;

/**
 * A running MySQL-compatible database server (MySQL 8.4 or MariaDB 11.4) reachable over TCP with
 * {@code com.mysql:mysql-connector-j}.
 *
 * <p>Implementations are thread-safe. Schema (database) names must match {@code [A-Za-z0-9_$-]+}.
 */
public interface DatabaseServer {

    /**
     * Returns a mysql-connector-j URL for {@code schema}, creating the schema first if it does not
     * exist yet, e.g. {@code jdbc:mysql://127.0.0.1:PORT/schema?sslMode=DISABLED&allowPublicKeyRetrieval=true}.
     */
    String jdbcUrl(String schema);

    /** User that may create, drop and use any schema. */
    String username();

    /** Password of {@link #username()} (possibly empty, never {@code null}). */
    String password();

    /** Creates the schema (database) if it does not exist. Idempotent. */
    void createDatabase(String schema);

    /** Drops the schema (database) if it exists. Idempotent. */
    void dropDatabase(String schema);

    /** The server's {@code SELECT VERSION()}, e.g. {@code 8.4.3} or {@code 11.4.5-MariaDB}. */
    String serverVersion();
}
