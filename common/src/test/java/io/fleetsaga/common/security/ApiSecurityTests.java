package io.fleetsaga.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The API's roles over real HTTP: 401 without credentials, 403 with the wrong role, problem details both. */
@AutoConfigureTestRestTemplate
@SpringBootTest(
        classes = ApiSecurityTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "fleetsaga.security.users[0].name=dispatcher",
            "fleetsaga.security.users[0].password={noop}d-secret",
            "fleetsaga.security.users[0].roles=DISPATCHER",
            "fleetsaga.security.users[1].name=ops",
            // bcrypt of "o-secret"
            "fleetsaga.security.users[1].password={bcrypt}$2a$10$u/QyOtx6XRTUwi0TM4Mwi.yHwft7Y/PPLhKyiWLygX/rK/qu9U.Kq",
            "fleetsaga.security.users[1].roles=OPS",
            "fleetsaga.security.users[2].name=assignment-service",
            "fleetsaga.security.users[2].password={noop}s-secret",
            "fleetsaga.security.users[2].roles=SERVICE"
        })
class ApiSecurityTests {

    @Autowired
    TestRestTemplate http;

    @Test
    void withoutCredentialsTheAnswerIs401AsAProblem() {
        ResponseEntity<String> response = http.getForEntity("/api/things", String.class);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.getHeaders().getFirst("WWW-Authenticate")).startsWith("Basic");
        assertThat(response.getBody()).contains("\"status\":401");
    }

    @Test
    void aWrongPasswordIs401() {
        assertThat(http.withBasicAuth("dispatcher", "wrong")
                        .getForEntity("/api/things", String.class)
                        .getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void dispatchersCommandOpsRead() {
        assertThat(call("dispatcher", "d-secret", HttpMethod.POST, "/api/things"))
                .isEqualTo(HttpStatus.OK);
        assertThat(call("dispatcher", "d-secret", HttpMethod.GET, "/api/things"))
                .isEqualTo(HttpStatus.OK);
        assertThat(call("ops", "o-secret", HttpMethod.GET, "/api/things")).isEqualTo(HttpStatus.OK);
        assertThat(call("ops", "o-secret", HttpMethod.POST, "/api/things")).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void opsEndpointsAreForOpsOnlyAndInternalOnesForTheServiceIdentity() {
        assertThat(call("ops", "o-secret", HttpMethod.GET, "/api/ops/runs")).isEqualTo(HttpStatus.OK);
        ResponseEntity<String> forbidden = http.withBasicAuth("dispatcher", "d-secret")
                .exchange("/api/ops/runs", HttpMethod.GET, HttpEntity.EMPTY, String.class);
        assertThat(forbidden.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(forbidden.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        assertThat(call("assignment-service", "s-secret", HttpMethod.GET, "/internal/digest"))
                .isEqualTo(HttpStatus.OK);
        assertThat(call("ops", "o-secret", HttpMethod.GET, "/internal/digest")).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(call("assignment-service", "s-secret", HttpMethod.POST, "/api/things"))
                .isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void probesAreOpen() {
        assertThat(http.getForEntity("/actuator/health", String.class).getStatusCode())
                .isEqualTo(HttpStatus.OK);
    }

    private HttpStatus call(String user, String password, HttpMethod method, String path) {
        return HttpStatus.valueOf(http.withBasicAuth(user, password)
                .exchange(path, method, HttpEntity.EMPTY, String.class)
                .getStatusCode()
                .value());
    }

    @SpringBootApplication(exclude = {DataSourceAutoConfiguration.class, KafkaAutoConfiguration.class})
    @RestController
    static class App {

        @GetMapping({"/api/things", "/api/ops/runs", "/internal/digest"})
        String read() {
            return "ok";
        }

        @PostMapping("/api/things")
        String write() {
            return "done";
        }
    }
}
