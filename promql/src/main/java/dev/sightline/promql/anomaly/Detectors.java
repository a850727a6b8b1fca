package dev.sightline.promql.anomaly;


import dev.sightline.core.text.PromDurations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The detectors by name, with their parameters, as the {@code detect} command offers them. */
public final class Detectors {
    /** A parameter: name, default value (as typed on the command line) and what it does. */
    public record Param(String name, String defaultValue, String help) {
    }

    /**
     * A configured detector: {@code factory} makes a fresh one per series, its window the trailing lookback: each
     * point is scored against the points in (t - lookback, t] (and, for detectors with longer memory, what their
     * state kept of the points before).
     */
    public record Configured(Supplier<StreamingDetector> factory, long lookbackMs) {
        /** A window detector run point by point (see {@link WindowDetector}). */
        public Configured(Detector window, long lookbackMs) {
            this(() -> WindowDetector.ofScores(window), lookbackMs);
        }

        public StreamingDetector newDetector() {
            return factory.get();
        }
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
            Supplier<StreamingDetector> d = factory(p);
            d.get(); // parameters are checked here, not at the first series
            return new Configured(d, lookback);
        }

        private Supplier<StreamingDetector> factory(Map<String, String> p) {
            return switch (name) {
                case "zscore" -> () -> {
                    ZScore z = new ZScore();
                    return new WindowDetector((ts, vs, from, to) -> z.logP(vs, from, to));
                };
                case "robust_zscore" -> () -> {
                    RobustZScore z = new RobustZScore();
                    return new WindowDetector((ts, vs, from, to) -> z.logP(vs, from, to));
                };
                case "seasonal" -> {
                    long season = duration(p, "season");
                    long tolerance = p.get("tolerance").isEmpty() ? season / 48 : duration(p, "tolerance");
                    try {
                        new SeasonalBaseline(season, tolerance);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("parameters season/tolerance: " + e.getMessage());
                    }
                    yield () -> new WindowDetector(new SeasonalBaseline(season, tolerance)::logP);
                }
                case "bimodality" -> () -> {
                    Bimodality b = new Bimodality();
                    return new WindowDetector((ts, vs, from, to) -> b.logP(vs, from, to));
                };
                case "combined" -> {
                    long season = duration(p, "season");
                    yield () -> new CombinedDetector(season);
                }
                case "level_shift" -> {
                    double threshold = number(p, "threshold");
                    long season = duration(p, "season");
                    yield () -> new LevelShift(threshold, season);
                }
                case "drift" -> {
                    long fast = duration(p, "short"), slow = duration(p, "long");
                    yield () -> new Drift(fast, slow);
                }
                case "stl" -> SeasonalDecomposition::new;
                case "contextual" -> {
                    int length = (int) number(p, "context");
                    yield () -> new Contextual(length);
                }
                case "likelihood" -> {
                    Spec inner = get(p.get("of"));
                    if (inner == null || inner.name().equals("likelihood")) {
                        throw new IllegalArgumentException("parameter of: expected a detector other than likelihood, got \""
                                + p.get("of") + "\"");
                    }
                    Supplier<StreamingDetector> of = inner.configure(Map.of()).factory();
                    int recent = (int) number(p, "recent");
                    long probation = duration(p, "probation");
                    yield () -> new Likelihood(of.get(), recent, probation);
                }
                default -> throw new IllegalStateException(name);
            };
        }

        private static double number(Map<String, String> p, String key) {
            try {
                return Double.parseDouble(p.get(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("parameter " + key + ": not a number: \"" + p.get(key) + "\"");
            }
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
                    List.of(new Param("lookback", "1h", "window whose values are fitted"))),
            new Spec("level_shift", "CUSUM of robust z against the level since the last shift, less the season's rhythm; adopts a new level once it passes the threshold",
                    List.of(LOOKBACK_7D, new Param("threshold", "12", "CUSUM value (sigmas) at which a shift is adopted"),
                            new Param("season", "1d", "season whose rhythm is not a shift; 0 = none"))),
            new Spec("drift", "gap between a short and a long time-weighted mean, against the gaps earlier in the lookback",
                    List.of(LOOKBACK_7D, new Param("short", "1h", "time constant of the short mean"),
                            new Param("long", "1d", "time constant of the long mean"))),
            new Spec("stl", "residual of level + daily + weekly profiles (each season used when the data show it), against earlier residuals",
                    List.of(LOOKBACK_7D)),
            new Spec("contextual", "rarity of the word of rank symbols of the last points among the lookback's words",
                    List.of(LOOKBACK_7D, new Param("context", "8", "points in a context, a multiple of 4"))),
            new Spec("likelihood", "second layer: the mean -ln p of the last points of another detector against its own history",
                    List.of(LOOKBACK_7D, new Param("of", "combined", "the detector judged (with its defaults)"),
                            new Param("recent", "10", "points averaged"),
                            new Param("probation", "1d", "no score this long after the first judged point"))));

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
