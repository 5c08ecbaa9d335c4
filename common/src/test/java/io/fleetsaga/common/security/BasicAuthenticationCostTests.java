package io.fleetsaga.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What HTTP Basic costs over real HTTP, counted in password checks (each a bcrypt verification in production): a
 * credential is checked once per cache TTL, the same wrong one once per failure TTL, and a client that sends many
 * wrong ones is answered 429 without further checks.
 */
@AutoConfigureTestRestTemplate
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
@SpringBootTest(
        classes = BasicAuthenticationCostTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "fleetsaga.security.users[0].name=dispatcher",
            // bcrypt of "o-secret"
            "fleetsaga.security.users[0].password={bcrypt}$2a$10$u/QyOtx6XRTUwi0TM4Mwi.yHwft7Y/PPLhKyiWLygX/rK/qu9U.Kq",
            "fleetsaga.security.users[0].roles=DISPATCHER",
            "fleetsaga.security.basic.failures-per-client=3"
        })
class BasicAuthenticationCostTests {

    @Autowired
    TestRestTemplate http;

    @Autowired
    CountingPasswordEncoder passwords;

    @BeforeEach
    void resetCount() {
        passwords.checks.set(0);
    }

    @Test
    void repeatedRequestsWithTheSameCredentialCostOnePasswordCheck() {
        for (int i = 0; i < 20; i++) {
            assertThat(get("dispatcher", "o-secret").getStatusCode()).isEqualTo(HttpStatus.OK);
        }

        assertThat(passwords.checks).hasValue(1);
    }

    @Test
    void theSameWrongPasswordCostsOneCheckAndStays401() {
        for (int i = 0; i < 20; i++) {
            assertThat(get("dispatcher", "wrong").getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        }

        assertThat(passwords.checks).hasValue(1);
    }

    @Test
    void manyWrongPasswordsAreAnswered429WithRetryAfterAsAProblem() {
        for (int i = 0; i < 3; i++) {
            assertThat(get("dispatcher", "wrong-" + i).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        }
        for (int i = 3; i < 20; i++) {
            ResponseEntity<String> limited = get(i % 2 == 0 ? "dispatcher" : "nobody-" + i, "wrong-" + i);

            assertThat(limited.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
            assertThat(limited.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(Long.parseLong(limited.getHeaders().getFirst("Retry-After")))
                    .isBetween(1L, 60L);
            assertThat(limited.getBody())
                    .contains("\"type\":\"urn:fleet-saga:problem:too-many-failed-logins\"")
                    .contains("\"status\":429");
        }

        assertThat(passwords.checks)
                .as("unknown users included: no check beyond the limit")
                .hasValue(3);
    }

    private ResponseEntity<String> get(String user, String password) {
        return http.withBasicAuth(user, password).getForEntity("/api/things", String.class);
    }

    /** The real delegating encoder (bcrypt), counting its checks. */
    static class CountingPasswordEncoder implements PasswordEncoder {

        final AtomicInteger checks = new AtomicInteger();
        private final PasswordEncoder delegate = PasswordEncoderFactories.createDelegatingPasswordEncoder();

        @Override
        public String encode(CharSequence rawPassword) {
            return delegate.encode(rawPassword);
        }

        @Override
        public boolean matches(CharSequence rawPassword, String encodedPassword) {
            checks.incrementAndGet();
            return delegate.matches(rawPassword, encodedPassword);
        }
    }

    @SpringBootApplication(exclude = {DataSourceAutoConfiguration.class, KafkaAutoConfiguration.class})
    @RestController
    static class App {

        @Bean
        CountingPasswordEncoder passwordEncoder() {
            return new CountingPasswordEncoder();
        }

        @GetMapping("/api/things")
        String read() {
            return "ok";
        }
    }
}
