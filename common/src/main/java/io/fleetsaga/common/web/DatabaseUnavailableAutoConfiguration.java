package io.fleetsaga.common.web;

import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import tools.jackson.databind.ObjectMapper;

/**
 * A database that does not answer makes HTTP requests fail fast with {@code 503} and {@code Retry-After} as problem
 * details (issue 9), instead of a 500 after the pool's wait: {@link DatabaseUnavailableAdvice} for controllers,
 * {@link DatabaseUnavailableFilter} for filters. How fast is the pool's {@code connection-timeout} and the
 * driver's {@code socketTimeout} (see the services' {@code application.yml}).
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(DataSource.class)
public class DatabaseUnavailableAutoConfiguration {

    @Bean
    DatabaseUnavailableAdvice databaseUnavailableAdvice() {
        return new DatabaseUnavailableAdvice();
    }

    /** Inside the security filters (an unauthenticated request never reaches the database), before all others. */
    @Bean
    FilterRegistrationBean<DatabaseUnavailableFilter> databaseUnavailableFilter(ObjectProvider<ObjectMapper> mapper) {
        FilterRegistrationBean<DatabaseUnavailableFilter> registration =
                new FilterRegistrationBean<>(new DatabaseUnavailableFilter(mapper.getIfAvailable(ObjectMapper::new)));
        registration.setOrder(Ordered.LOWEST_PRECEDENCE - 100);
        return registration;
    }
}
