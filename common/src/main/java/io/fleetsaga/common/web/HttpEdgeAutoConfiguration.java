package io.fleetsaga.common.web;

import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import tools.jackson.databind.ObjectMapper;

/**
 * The HTTP edge both services share unchanged ({@link Problems}): the problem answers of the controllers ({@link
 * ProblemAdvice}, fed by every {@link ProblemMapping} bean), of the container's error page ({@link
 * ProblemErrorController}, instead of Spring Boot's) and of the firewall ({@link RejectedRequests}), and strict
 * reading of request bodies ({@link StrictJson}).
 */
@AutoConfiguration(before = ErrorMvcAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(HttpEdgeSettings.class)
public class HttpEdgeAutoConfiguration {

    /** Early, before security and tracing do any work for a body that will not be read. */
    @Bean
    FilterRegistrationBean<BodySizeLimit> bodySizeLimit(
            HttpEdgeSettings settings, ObjectProvider<ObjectMapper> mapper) {
        FilterRegistrationBean<BodySizeLimit> registration = new FilterRegistrationBean<>(
                new BodySizeLimit(settings.maxBodySize().toBytes(), mapper.getIfAvailable(ObjectMapper::new)));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    @Bean
    @ConditionalOnMissingBean
    ProblemCatalog problemCatalog(ObjectProvider<ProblemMapping<?>> mappings) {
        return new ProblemCatalog(mappings.orderedStream().toList());
    }

    @Bean
    ProblemAdvice problemAdvice(ProblemCatalog catalog) {
        return new ProblemAdvice(catalog);
    }

    @Bean
    ProblemCompletion problemCompletion() {
        return new ProblemCompletion();
    }

    @Bean
    @ConditionalOnMissingBean(ErrorController.class)
    ProblemErrorController problemErrorController() {
        return new ProblemErrorController();
    }

    @Bean
    StrictJson strictJson() {
        return new StrictJson();
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({Tomcat.class, TomcatServletWebServerFactory.class})
    static class TomcatErrors {

        /**
         * Replaces the error report valve Tomcat and Spring Boot put on the host (an HTML page) with {@link
         * ProblemErrorReportValve}; ordered after Spring Boot's own customizer, which adds its valve.
         */
        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReportValve() {
            return new ProblemValveCustomizer();
        }
    }

    static final class ProblemValveCustomizer
            implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                Container host = context.getParent();
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
                        host.getPipeline().removeValve(valve);
                    }
                }
                host.getPipeline().addValve(new ProblemErrorReportValve());
                if (host instanceof StandardHost standard) {
                    standard.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RequestRejectedHandler.class)
    static class Firewall {

        @Bean
        @ConditionalOnMissingBean
        RequestRejectedHandler requestRejectedHandler(ObjectProvider<ObjectMapper> mapper) {
            return new RejectedRequests(mapper.getIfAvailable(ObjectMapper::new));
        }
    }
}
