package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JdbcDatabaseServerTests {

    @Test
    void appendsTheSchemaAndTheDefaultParameters() {
        JdbcDatabaseServer server =
                new JdbcDatabaseServer("jdbc:mysql://127.0.0.1:3306/", "sslMode=DISABLED", "u", "p");

        assertThat(server.urlOf("orders")).isEqualTo("jdbc:mysql://127.0.0.1:3306/orders?sslMode=DISABLED");
        assertThat(server.serverUrl()).isEqualTo("jdbc:mysql://127.0.0.1:3306/?sslMode=DISABLED");
    }

    @Test
    void keepsTheServerUrlsOwnParametersAndAcceptsAMissingSlash() {
        JdbcDatabaseServer server =
                new JdbcDatabaseServer("jdbc:mysql://db.example:3306?sslMode=REQUIRED", "sslMode=DISABLED", null, null);

        assertThat(server.urlOf("orders")).isEqualTo("jdbc:mysql://db.example:3306/orders?sslMode=REQUIRED");
        assertThat(server.username()).isEmpty();
        assertThat(server.password()).isEmpty();
    }

    @Test
    void rejectsUrlsThatNameADatabaseOrAreNotMysql() {
        assertThatThrownBy(() -> new JdbcDatabaseServer("jdbc:mysql://db:3306/orders", "", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not name a database");
        assertThatThrownBy(() -> new JdbcDatabaseServer("jdbc:postgresql://db:5432/", "", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsSchemaNamesThatWouldNeedQuoting() {
        JdbcDatabaseServer server = new JdbcDatabaseServer("jdbc:mysql://127.0.0.1:3306/", "", "u", "p");

        assertThat(server.urlOf("order_service-1")).endsWith("/order_service-1");
        for (String invalid : new String[] {"", "a b", "x`; DROP DATABASE y; --", "a/b", "x".repeat(65)}) {
            assertThatThrownBy(() -> server.urlOf(invalid)).as(invalid).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
