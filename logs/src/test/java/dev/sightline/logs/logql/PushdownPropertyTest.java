package dev.sightline.logs.logql;

import dev.sightline.core.Labels;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogSelection;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the engine hands the store (line filters, field conditions) never changes a result: every query runs once with
 * pushdown and once with the store given stream matchers only, over random JSON, logfmt, plain and broken lines whose
 * fields clash with stream labels and metadata, and whose values convert or fail to.
 */
class PushdownPropertyTest {
    private static final String[] NAMES = {"amount", "status", "level", "service", "dur", "size", "trace_id",
            "service_extracted", "a_b"};
    private static final String[] VALUES = {"5", "150", "1e2", "-3", "lots", "1s", "250ms", "2m", "10KB", "3MB",
            "ok", "failed", "", "abc123"};

    @Property(tries = 600)
    void pushdownNeverChangesAResult(@ForAll long seed) {
        Random r = new Random(seed);
        InMemoryLogStore store = new InMemoryLogStore();
        LogAppender a = store.appender();
        Labels[] streams = {Labels.of("service", "payment"), Labels.of("service", "web", "env", "prod")};
        Labels[] metadata = {Labels.EMPTY, Labels.of("level", "info"), Labels.of("trace_id", "abc123")};
        for (int i = 0; i < 40; i++) {
            a.append(streams[r.nextInt(streams.length)], LogQlFixture.at(1 + r.nextInt(50)), line(r),
                    metadata[r.nextInt(metadata.length)]);
        }
        LogQlFixture.commit(a);
        LogQlEngine pushed = new LogQlEvaluator(store.querier(), true);
        LogQlEngine plain = new LogQlEvaluator(store.querier(), false);
        String log = query(r);
        String metric = "sum by (level) (count_over_time(" + log + " [20s]))";
        for (String q : List.of(log, metric)) {
            Object expected = run(plain, q);
            assertThat(run(pushed, q)).as(q).usingRecursiveComparison().isEqualTo(expected);
        }
        // sum by groups lines straight away: the same as summing the per-series counts.
        if (run(pushed, metric) instanceof LogQlResult.Matrix grouped) {
            LogQlResult.Matrix perSeries = (LogQlResult.Matrix) run(pushed, "count_over_time(" + log + " [20s])");
            assertThat(sumByLevel(perSeries)).as(metric).isEqualTo(sumByLevel(grouped));
        }
    }

    /** level value -> time -> summed value. */
    private static java.util.Map<String, java.util.Map<Long, Double>> sumByLevel(LogQlResult.Matrix m) {
        java.util.Map<String, java.util.Map<Long, Double>> out = new java.util.TreeMap<>();
        for (LogQlResult.Series s : m.series()) {
            String level = String.valueOf(s.labels().get("level"));
            for (int i = 0; i < s.timesMillis().length; i++) {
                out.computeIfAbsent(level, k -> new java.util.TreeMap<>()).merge(s.timesMillis()[i], s.values()[i],
                        Double::sum);
            }
        }
        return out;
    }

    private static Object run(LogQlEngine e, String q) {
        try {
            return e.range(q, LogQlFixture.at(0), LogQlFixture.at(60), 10_000_000_000L,
                    LogSelection.Direction.BACKWARD, 25);
        } catch (LogQlException ex) {
            return ex.getMessage();
        }
    }

    private static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    private static String line(Random r) {
        int fields = r.nextInt(5);
        StringBuilder sb = new StringBuilder();
        switch (r.nextInt(5)) {
            case 0, 1 -> {
                sb.append('{');
                for (int i = 0; i < fields; i++) {
                    String name = pick(r, NAMES);
                    sb.append(i > 0 ? "," : "").append('"').append(name.equals("a_b") ? "a" : name).append("\":");
                    String v = pick(r, VALUES);
                    int kind = r.nextInt(4);
                    if (name.equals("a_b")) {
                        sb.append("{\"b\":\"").append(v).append("\"}");
                    } else if (kind == 0 && !Double.isNaN(dev.sightline.logs.LogFields.number(v))) {
                        sb.append(v);
                    } else if (kind == 1) {
                        sb.append("null");
                    } else {
                        sb.append('"').append(v).append('"');
                    }
                }
                sb.append('}');
            }
            case 2 -> {
                for (int i = 0; i < fields; i++) {
                    String v = pick(r, VALUES);
                    sb.append(i > 0 ? " " : "").append(pick(r, NAMES));
                    if (r.nextInt(6) > 0) {
                        sb.append('=').append(v.isEmpty() || r.nextBoolean() ? "\"" + v + "\"" : v);
                    }
                }
            }
            case 3 -> sb.append("plain text with ").append(pick(r, VALUES)).append(" and level=").append(pick(r, VALUES));
            default -> sb.append(r.nextBoolean() ? "{\"status\":\"ok\"" : "msg=\"unclosed status=ok");
        }
        return sb.toString();
    }

    private static String query(Random r) {
        StringBuilder q = new StringBuilder(r.nextBoolean() ? "{service=~\".+\"}" : "{service=\"payment\"}");
        if (r.nextInt(3) == 0) {
            q.append(r.nextBoolean() ? " |= \"a\"" : " != \"ok\"");
        }
        int parser = r.nextInt(4);
        if (parser < 3) {
            q.append(parser == 0 || parser == 2 ? " | json" : " | logfmt");
        }
        int stages = r.nextInt(4);
        for (int i = 0; i < stages; i++) {
            if (r.nextInt(8) == 0) {
                q.append(r.nextBoolean() ? " |= \"s\"" : " | line_format \"{{.status}}\" |= \"ok\"");
                continue;
            }
            q.append(" | ").append(condition(r));
            int more = r.nextInt(3);
            for (int j = 0; j < more; j++) {
                q.append(switch (r.nextInt(3)) {
                    case 0 -> ", ";
                    case 1 -> " and ";
                    default -> " or ";
                }).append(condition(r));
            }
        }
        if (r.nextInt(3) == 0) {
            q.append(" | __error__=\"\"");
        }
        return q.toString();
    }

    private static String condition(Random r) {
        String name = pick(r, NAMES);
        return switch (r.nextInt(6)) {
            case 0, 1 -> name + pick(r, new String[] {"=", "!=", "=~"}) + "\"" + pick(r, VALUES) + "\"";
            case 2 -> name + " " + pick(r, new String[] {">", ">=", "<", "<=", "==", "!="}) + " "
                    + pick(r, new String[] {"100", "5", "-1", "1e2"});
            case 3 -> name + " " + pick(r, new String[] {">", "<=", "=="}) + " " + pick(r, new String[] {"1s", "300ms"});
            case 4 -> name + " " + pick(r, new String[] {">=", "<"}) + " " + pick(r, new String[] {"1KB", "5MB"});
            default -> "__error__" + pick(r, new String[] {"=", "!="}) + "\"" + pick(r, new String[] {"",
                    "JSONParserErr", "LabelFilterErr"}) + "\"";
        };
    }
}
