package io.fleetsaga.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;

/** Misconfigured users stop the service at startup instead of failing at the first login. */
class ApiSecurityConfigurationTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    ApiSecurityAutoConfiguration.class,
                    SecurityAutoConfiguration.class,
                    ServletWebSecurityAutoConfiguration.class,
                    WebMvcAutoConfiguration.class));

    @Test
    void refusesAPasswordWithoutEncoderPrefix() {
        runner.withPropertyValues(
                        "fleetsaga.security.users[0].name=dispatcher",
                        "fleetsaga.security.users[0].password=plain",
                        "fleetsaga.security.users[0].roles=DISPATCHER")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("must be encoded with its encoder prefix"));
    }

    @Test
    void refusesAnUnknownRole() {
        runner.withPropertyValues(
                        "fleetsaga.security.users[0].name=dispatcher",
                        "fleetsaga.security.users[0].password={noop}x",
                        "fleetsaga.security.users[0].roles=ADMIN")
                .run(context ->
                        assertThat(context).getFailure().rootCause().hasMessageContaining("unknown role 'ADMIN'"));
    }

    @Test
    void refusesANegativeCacheTtlAndAnEmptyFailureWindow() {
        runner.withPropertyValues("fleetsaga.security.basic.cache-ttl=-1s")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("cache-ttl must not be negative"));
        runner.withPropertyValues("fleetsaga.security.basic.failure-window=0s")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("failure-window must be positive"));
        runner.withPropertyValues(
                        "fleetsaga.security.basic.failure-window=0s", "fleetsaga.security.basic.failures-per-client=0")
                .run(context ->
                        assertThat(context).as("no limit, no window needed").hasNotFailed());
    }

    @Test
    void startsWithoutUsersAndThenAnswersEverything401() {
        runner.run(context -> assertThat(context).hasNotFailed());
    }
}
