package io.fleetsaga.chaos;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The long version of the fault harness, from the command line:
 *
 * <pre>
 * ./mvnw -q -pl chaos -am package exec:exec -DskipTests \
 *     -Dchaos.args="--scenario=all --seeds=1,2 --duration=2m --rate=8 --outage=49m --settings=default"
 * </pre>
 *
 * Options: {@code --scenario} ({@code all} or ids/prefixes such as {@code i4}, comma-separated), {@code --seeds}
 * (each scenario runs once per seed), and the {@link Parameters} ({@code --duration}, {@code --rate}, {@code
 * --clients}, {@code --orders}, {@code --tasks}, {@code --hot-orders}, {@code --outage}, {@code --settings},
 * {@code --quiescence}). Data, service logs and the report go to {@code chaos/target/chaos/<timestamp>/}; the exit
 * code is 0 only when every invariant of every run held.
 */
public final class ChaosMain {

    private ChaosMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        Parameters parameters = Parameters.parse(options);
        List<Long> seeds = Arrays.stream(options.getOrDefault("seeds", Long.toString(parameters.seed()))
                        .split(","))
                .map(String::strip)
                .map(Long::parseLong)
                .toList();
        String which = options.getOrDefault("scenario", "all");
        List<Scenario> scenarios = "all".equals(which)
                ? Scenarios.all()
                : Arrays.stream(which.split(","))
                        .map(String::strip)
                        .map(Scenarios::byId)
                        .toList();
        Path dir = Path.of(System.getProperty("fleetsaga.chaos.dir", "target/chaos"))
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        String command =
                "./mvnw -q -pl chaos -am package exec:exec -DskipTests -Dchaos.args=\"" + String.join(" ", args) + "\"";
        List<ScenarioResult> results = new ArrayList<>();
        try (Harness harness = Harness.start(dir.resolve("stack"), parameters)) {
            for (long seed : seeds) {
                for (Scenario scenario : scenarios) {
                    results.add(harness.run(scenario, parameters.withSeed(seed), dir));
                    Report.write(dir, command, results); // after every scenario: a long run leaves a partial report
                }
            }
        }
        Path report = Report.write(dir, command, results);
        boolean passed = results.stream().allMatch(ScenarioResult::passed);
        System.out.println((passed ? "PASSED" : "FAILED") + ": report " + report);
        System.exit(passed ? 0 : 1);
    }
}
