package io.fleetsaga.order;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.fleetsaga.common.testing.PlatformRules;
import jakarta.persistence.Entity;

/** Keeps the domain free of framework plumbing and the service out of the other service's code. */
@AnalyzeClasses(packages = "io.fleetsaga.order", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    @ArchTest
    static final ArchRule usesJackson3Only = PlatformRules.JACKSON_3_ONLY;

    @ArchTest
    static final ArchRule usesSpringFrameworksRetry = PlatformRules.NO_SPRING_RETRY;

    @ArchTest
    static final ArchRule aggregatesKnowNoKafkaWebSpringOrHibernate = noClasses()
            .that()
            .areAnnotatedWith(Entity.class)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.springframework..",
                    "org.apache.kafka..",
                    "org.hibernate..",
                    "jakarta.servlet..",
                    "io.fleetsaga.common..");

    @ArchTest
    static final ArchRule onlyTheWebLayerKnowsSpringWeb = noClasses()
            .that()
            .resideOutsideOfPackage("..web..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.springframework.web..", "jakarta.servlet..");

    @ArchTest
    static final ArchRule onlyMessagingKnowsKafka = noClasses()
            .that()
            .resideOutsideOfPackage("..messaging..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..");

    @ArchTest
    static final ArchRule neverReachesIntoTheOtherService =
            noClasses().should().dependOnClassesThat().resideInAPackage("io.fleetsaga.assignment..");

    /** Features depend one way (web → saga → order), ports invert the rest (OrderTransitionListener). */
    @ArchTest
    static final ArchRule packagesAreFreeOfCycles =
            slices().matching("io.fleetsaga.order.(**)").should().beFreeOfCycles();
}
