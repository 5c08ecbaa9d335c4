package io.fleetsaga.infra;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A MySQL-compatible server addressed by a server URL without a database ({@code
 * jdbc:mysql://host:port/} plus optional {@code ?query}); creates and drops schemas over JDBC.
 */
final class JdbcDatabaseServer implements DatabaseServer {

    private static final Pattern SCHEMA_NAME = Pattern.compile("[A-Za-z0-9_$-]{1,64}");

    private final String base;
    private final String query;
    private final String username;
    private final String password;
    private final Set<String> created = ConcurrentHashMap.newKeySet();

    /**
     * @param serverUrl e.g. {@code jdbc:mysql://127.0.0.1:3306/} or {@code jdbc:mysql://db:3306?sslMode=REQUIRED}
     * @param defaultQuery parameters used when {@code serverUrl} has no query of its own
     */
    JdbcDatabaseServer(String serverUrl, String defaultQuery, String username, String password) {
        Objects.requireNonNull(serverUrl, "serverUrl");
        if (!serverUrl.startsWith("jdbc:mysql:") && !serverUrl.startsWith("jdbc:mariadb:")) {
            throw new IllegalArgumentException("Not a MySQL JDBC URL: " + serverUrl);
        }
        int question = serverUrl.indexOf('?');
        String path = question < 0 ? serverUrl : serverUrl.substring(0, question);
        String ownQuery = question < 0 ? "" : serverUrl.substring(question + 1);
        int hostStart = path.indexOf("//");
        int slash = hostStart < 0 ? -1 : path.indexOf('/', hostStart + 2);
        if (slash >= 0 && slash < path.length() - 1) {
            throw new IllegalArgumentException(
                    "Server URL must not name a database (expected e.g. jdbc:mysql://host:3306/): " + serverUrl);
        }
        this.base = slash < 0 ? path + "/" : path;
        this.query = ownQuery.isEmpty() ? defaultQuery : ownQuery;
        this.username = username == null ? "" : username;
        this.password = password == null ? "" : password;
    }

    static String checkSchemaName(String schema) {
        if (schema == null || !SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("Invalid schema name (allowed: [A-Za-z0-9_$-]{1,64}): " + schema);
        }
        return schema;
    }

    /** URL of {@code schema} without creating it. */
    String urlOf(String schema) {
        String url = base + checkSchemaName(schema);
        return query.isEmpty() ? url : url + "?" + query;
    }

    /** URL of the server without a default database. */
    String serverUrl() {
        return query.isEmpty() ? base : base + "?" + query;
    }

    @Override
    public String jdbcUrl(String schema) {
        if (!created.contains(schema)) {
            createDatabase(schema);
        }
        return urlOf(schema);
    }

    @Override
    public String username() {
        return username;
    }

    @Override
    public String password() {
        return password;
    }

    @Override
    public void createDatabase(String schema) {
        execute("CREATE DATABASE IF NOT EXISTS `" + checkSchemaName(schema) + "`");
        created.add(schema);
    }

    @Override
    public void dropDatabase(String schema) {
        created.remove(checkSchemaName(schema));
        execute("DROP DATABASE IF EXISTS `" + schema + "`");
    }

    @Override
    public String serverVersion() {
        try (Connection connection = DriverManager.getConnection(serverUrl(), username, password);
                Statement statement = connection.createStatement();
                java.sql.ResultSet rs = statement.executeQuery("SELECT VERSION()")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Failed on " + base + " as '" + username + "': SELECT VERSION()", e);
        }
    }

    /** Runs the statements in order on one connection. */
    void execute(String... statements) {
        String current = "(connect)";
        try (Connection connection = DriverManager.getConnection(serverUrl(), username, password);
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                current = sql;
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Failed on " + base + " as '" + username + "': " + current, e);
        }
    }

    @Override
    public String toString() {
        return serverUrl() + " as " + username;
    }
}
