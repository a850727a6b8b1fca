package dev.sightline.promql.anomaly;


import dev.sightline.core.text.PromDurations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The detectors by name, with their parameters, as the {@code detect} command offers them. */
public final class Detectors {
    /** A parameter: name, default value (as typed on the command line) and what it does. */
    public record Param(String name, String defaultValue, String help) {
    }

    /** A detector with a configured trailing window: each point is scored against the points in (t - lookback, t]. */
    public record Configured(Detector detector, long lookbackMs) {
    }

    /** A detector's name, description and parameters. */
    public record Spec(String name, String help, List<Param> params) {
        /** The detector with {@code values} over the defaults; an unknown name or a bad value is an error naming it. */
        public Configured configure(Map<String, String> values) {
            Map<String, String> p = new LinkedHashMap<>();
            for (Param d : params) {
                p.put(d.name(), d.defaultValue());
            }
            for (var e : values.entrySet()) {
                if (!p.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("detector " + name + " has no parameter \"" + e.getKey()
                            + "\"; it takes: " + String.join(", ", p.keySet()));
                }
                p.put(e.getKey(), e.getValue());
            }
            long lookback = duration(p, "lookback");
            if (lookback <= 0) {
                throw new IllegalArgumentException("parameter lookback: must be positive");
            }
            Detector d = switch (name) {
                case "zscore" -> new ZScore();
                case "robust_zscore" -> new RobustZScore();
                case "seasonal" -> {
                    long season = duration(p, "season");
                    try {
                        yield p.get("tolerance").isEmpty() ? new SeasonalBaseline(season)
                                : new SeasonalBaseline(season, duration(p, "tolerance"));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("parameters season/tolerance: " + e.getMessage());
                    }
                }
                case "bimodality" -> new Bimodality();
                case "combined" -> new CombinedDetector(duration(p, "season"));
                default -> throw new IllegalStateException(name);
            };
            return new Configured(d, lookback);
        }

        private static long duration(Map<String, String> p, String key) {
            try {
                return PromDurations.parseMillis(p.get(key));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("parameter " + key + ": " + e.getMessage());
            }
        }
    }

    private static final Param LOOKBACK_7D = new Param("lookback", "7d", "window of earlier points each point is judged against");
    private static final Param SEASON = new Param("season", "1d", "season length");

    private static final List<Spec> ALL = List.of(
            new Spec("combined", "harmonic mean of the zscore, robust_zscore and seasonal p-values (season 0 leaves seasonal out)",
                    List.of(LOOKBACK_7D, SEASON)),
            new Spec("zscore", "z of the point against mean and standard deviation of the lookback",
                    List.of(LOOKBACK_7D)),
            new Spec("robust_zscore", "z of the point against median and 1.4826 x MAD of the lookback",
                    List.of(LOOKBACK_7D)),
            new Spec("seasonal", "robust z against the median of earlier seasons' points at the same phase",
                    List.of(LOOKBACK_7D, SEASON,
                            new Param("tolerance", "", "half-width of the same-phase window; empty = season/48"))),
            new Spec("bimodality", "two-Gaussian mixture of the lookback's values; z = 1.5 x separation / mean deviation, 0 if a weight <= 0.1",
                    List.of(new Param("lookback", "1h", "window whose values are fitted"))));

    private Detectors() {
    }

    public static List<Spec> all() {
        return ALL;
    }

    /** The detector called {@code name}, or null. */
    public static Spec get(String name) {
        for (Spec s : ALL) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
