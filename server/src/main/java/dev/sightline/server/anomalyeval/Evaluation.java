package dev.sightline.server.anomalyeval;

import dev.sightline.promql.anomaly.Detectors;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Scores detectors on a corpus with NAB's rules and prints the table of {@code detect-eval}. */
public final class Evaluation {
    /** One detector's line: a result per profile ({@link NabScorer#PROFILES} order) and its quiet false-positive rate. */
    public record Line(String detector, List<NabScorer.Result> results, double quietFpRate) {
    }

    private Evaluation() {
    }

    /** Scores each detector (by name, made per corpus file) on {@code corpus}. */
    public static List<Line> run(NabCorpus corpus, Map<String, Function<NabCorpus.File, Detectors.Configured>> detectors)
            throws IOException {
        List<Line> lines = new ArrayList<>();
        for (var d : detectors.entrySet()) {
            List<NabScorer.Series> scored = corpus.score(d.getValue());
            NabScorer scorer = new NabScorer(scored);
            List<NabScorer.Result> results = new ArrayList<>();
            for (NabScorer.Profile p : NabScorer.PROFILES) {
                results.add(scorer.score(p));
            }
            lines.add(new Line(d.getKey(), results,
                    NabScorer.quietFalsePositiveRate(scored, results.getFirst().threshold())));
        }
        return lines;
    }

    /**
     * A summary line of the corpus, a header, then a line per detector: per profile the normalized score and the
     * threshold chosen, the windows found at the standard threshold, and the quiet series' false-positive rate.
     */
    public static void print(NabCorpus corpus, List<Line> lines, PrintWriter out) {
        long quiet = corpus.files().stream().filter(f -> f.windows().isEmpty()).count();
        int windows = corpus.files().stream().mapToInt(f -> f.windows().size()).sum();
        out.printf(Locale.ROOT, "corpus: %d files (%d with windows, %d quiet), %d windows; NAB scores 0 = null detector,"
                + " 100 = perfect; probation 15%% of each file%n", corpus.files().size(), corpus.files().size() - quiet,
                quiet, windows);
        StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "%-14s", "detector"));
        for (NabScorer.Profile p : NabScorer.PROFILES) {
            h.append(String.format(Locale.ROOT, " %14s %-12s", p.name(), "threshold"));
        }
        h.append(String.format(Locale.ROOT, " %7s %13s", "found", "quiet_fp_rate"));
        out.println(h);
        for (Line l : lines) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-14s", l.detector()));
            for (NabScorer.Result r : l.results()) {
                b.append(String.format(Locale.ROOT, " %14.2f %-12s", r.normalized(), threshold(r.threshold())));
            }
            NabScorer.Result standard = l.results().getFirst();
            b.append(String.format(Locale.ROOT, " %7s %13s", standard.windowsFound() + "/" + standard.windows(),
                    Double.isNaN(l.quietFpRate()) ? "-" : String.format(Locale.ROOT, "%.5f", l.quietFpRate())));
            out.println(b);
        }
        out.flush();
    }

    /** Enough digits to tell 0.9973 from 0.99994; {@code none} when nothing is detected. */
    static String threshold(double t) {
        return t == NabScorer.NO_DETECTION ? "none"
                : new BigDecimal(t).round(new MathContext(8)).stripTrailingZeros().toPlainString();
    }
}
