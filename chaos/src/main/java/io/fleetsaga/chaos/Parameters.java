package io.fleetsaga.chaos;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The knobs of a run.
 *
 * @param seed seeds every random choice of the workload and of the faults
 * @param duration how long the workload of one scenario runs (its faults fit inside)
 * @param rate dispatcher operations per second
 * @param clients concurrent dispatcher clients
 * @param orders orders in flight at a time
 * @param tasks tasks they are spread over
 * @param hotOrders orders on the hot task of I-1 (≥ 200)
 * @param outage how long the broker stays out in I-4 (49 minutes in the long version)
 * @param compressed compressed retry and timeout settings (short runs), else the services' defaults
 * @param quiescence bound of the wait for the system to settle after the workload (fails the run when exceeded)
 */
record Parameters(
        long seed,
        Duration duration,
        double rate,
        int clients,
        int orders,
        int tasks,
        int hotOrders,
        Duration outage,
        boolean compressed,
        Duration quiescence) {

    /** The short version that runs inside {@code ./mvnw verify}. */
    static Parameters ci(long seed) {
        return new Parameters(
                seed, Duration.ofSeconds(12), 8, 4, 30, 4, 200, Duration.ofSeconds(12), true, Duration.ofMinutes(3));
    }

    /**
     * From {@code --name=value} arguments on top of {@link #ci}: {@code seed}, {@code duration}, {@code rate},
     * {@code clients}, {@code orders}, {@code tasks}, {@code hot-orders}, {@code outage} (ISO-8601 like {@code
     * PT49M} or {@code 49m}/{@code 90s}), {@code settings} ({@code compressed} or {@code default}), {@code
     * quiescence}.
     */
    static Parameters parse(Map<String, String> args) {
        Parameters p = ci(Long.parseLong(args.getOrDefault("seed", "1")));
        return new Parameters(
                p.seed(),
                duration(args.get("duration"), p.duration()),
                Double.parseDouble(args.getOrDefault("rate", Double.toString(p.rate()))),
                Integer.parseInt(args.getOrDefault("clients", Integer.toString(p.clients()))),
                Integer.parseInt(args.getOrDefault("orders", Integer.toString(p.orders()))),
                Integer.parseInt(args.getOrDefault("tasks", Integer.toString(p.tasks()))),
                Integer.parseInt(args.getOrDefault("hot-orders", Integer.toString(p.hotOrders()))),
                duration(args.get("outage"), p.outage()),
                !"default".equals(args.getOrDefault("settings", "compressed")),
                duration(args.get("quiescence"), p.quiescence()));
    }

    Parameters withSeed(long seed) {
        return new Parameters(seed, duration, rate, clients, orders, tasks, hotOrders, outage, compressed, quiescence);
    }

    static Duration duration(String value, Duration fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.startsWith("p")) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        long n = Long.parseLong(v.replaceAll("[a-z]+$", ""));
        return switch (v.replaceAll("^[0-9]+", "")) {
            case "ms" -> Duration.ofMillis(n);
            case "s", "" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("not a duration: " + value);
        };
    }

    Map<String, Object> asMap() {
        Map<String, Object> m = new HashMap<>();
        m.put("seed", seed);
        m.put("duration", duration.toString());
        m.put("rate", rate);
        m.put("clients", clients);
        m.put("orders", orders);
        m.put("tasks", tasks);
        m.put("hotOrders", hotOrders);
        m.put("outage", outage.toString());
        m.put("settings", compressed ? "compressed" : "default");
        m.put("quiescence", quiescence.toString());
        return m;
    }
}
