package io.fleetsaga.common.apidocs;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * How both services authenticate, as the documents say it: every operation takes HTTP Basic ({@code basicAuth},
 * the users of {@code fleetsaga.security.users}) or, where the service is configured as an OAuth2 resource
 * server, a JWT bearer token ({@code bearerAuth}) — either one (two alternative security requirements).
 */
public class SecuritySchemesOpenApi implements OpenApiCustomizer {

    public static final String BASIC_AUTH = "basicAuth";
    public static final String BEARER_AUTH = "bearerAuth";

    @Override
    public void customise(OpenAPI openApi) {
        if (openApi.getComponents() == null) {
            openApi.setComponents(new Components());
        }
        openApi.getComponents()
                .addSecuritySchemes(
                        BASIC_AUTH,
                        new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP)
                                .scheme("basic")
                                .description("The users and roles of fleetsaga.security.users; a verified"
                                        + " credential is cached briefly, repeated failures from one client are"
                                        + " answered 429"))
                .addSecuritySchemes(
                        BEARER_AUTH,
                        new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP)
                                .scheme("bearer")
                                .bearerFormat("JWT")
                                .description("When spring.security.oauth2.resourceserver.jwt.issuer-uri (or"
                                        + " jwk-set-uri) is set: a JWT of that issuer, roles DISPATCHER / OPS /"
                                        + " SERVICE in the claim fleetsaga.security.jwt.roles-claim (default"
                                        + " `roles`)"));
        openApi.setSecurity(
                List.of(new SecurityRequirement().addList(BASIC_AUTH), new SecurityRequirement().addList(BEARER_AUTH)));
    }
}
