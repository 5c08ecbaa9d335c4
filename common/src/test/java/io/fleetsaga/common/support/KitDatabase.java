package io.fleetsaga.common.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetsaga.infra.DatabaseServer;
import io.fleetsaga.infra.RealInfrastructure;
import java.util.Locale;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A fresh schema on the real MySQL-compatible server with the kit's migrations applied, one per test
 * class, so test classes never see each other's rows.
 */
public final class KitDatabase implements AutoCloseable {

    public final String schema;
    public final HikariDataSource dataSource;
    public final DataSourceTransactionManager transactionManager;
    public final JdbcTemplate jdbc;
    public final TransactionTemplate tx;

    private KitDatabase(String schema, HikariDataSource dataSource) {
        this.schema = schema;
        this.dataSource = dataSource;
        this.transactionManager = new DataSourceTransactionManager(dataSource);
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(transactionManager);
    }

    public static KitDatabase create(String name) {
        DatabaseServer server = RealInfrastructure.get().database();
        String schema = ("kit_" + name + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT)
                .replace('-', '_');
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl(schema));
        config.setUsername(server.username());
        config.setPassword(server.password());
        config.setMaximumPoolSize(20);
        config.setPoolName(schema);
        HikariDataSource dataSource = new HikariDataSource(config);
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/kit")
                .load()
                .migrate();
        return new KitDatabase(schema, dataSource);
    }

    @Override
    public void close() {
        dataSource.close();
        RealInfrastructure.get().database().dropDatabase(schema);
    }
}
