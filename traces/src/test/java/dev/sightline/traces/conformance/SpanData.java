package dev.sightline.traces.conformance;

import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanLink;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanCondition.Op;
import dev.sightline.traces.SpanCondition.Scope;
import dev.sightline.traces.SpanCondition.Target;
import dev.sightline.traces.StoredSpan;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Spans for the conformance suite: a plain builder, one span with every field set, and random spans and tests. */
public final class SpanData {
    public static final long HOUR = 3_600_000_000_000L;
    /** 2026-12-06T00:00:00Z in unix nanoseconds. */
    public static final long T0 = 1_796_515_200_000_000_000L;

    private SpanData() {
    }

    public static SpanResource resource(String service, Object... kv) {
        Attributes.Builder b = new Attributes.Builder();
        if (service != null) {
            b.addString("service.name", service);
        }
        add(b, kv);
        return new SpanResource(b.build(), 0, "");
    }

    public static Attributes attrs(Object... kv) {
        Attributes.Builder b = new Attributes.Builder();
        add(b, kv);
        return b.build();
    }

    private static void add(Attributes.Builder b, Object... kv) {
        for (int i = 0; i < kv.length; i += 2) {
            String k = (String) kv[i];
            switch (kv[i + 1]) {
                case String s -> b.addString(k, s);
                case Long l -> b.addLong(k, l);
                case Integer n -> b.addLong(k, n);
                case Double d -> b.addDouble(k, d);
                case Boolean x -> b.addBool(k, x);
                case byte[] bytes -> b.addBytes(k, bytes);
                default -> throw new IllegalArgumentException(kv[i + 1].getClass().toString());
            }
        }
    }

    /** A span with the fields searches look at; the rest empty. */
    public static Span span(long traceLo, long spanId, long parent, String name, SpanKind kind, long start,
                            long durationNanos, StatusCode status, Attributes attributes) {
        return new Span(0x1234, traceLo, spanId, parent, "", 1, name, kind, start, start + durationNanos, attributes,
                0, List.of(), 0, List.of(), 0, status, "");
    }

    public static StoredSpan stored(SpanResource r, Span s) {
        return new StoredSpan(r, InstrumentationScope.EMPTY, s);
    }

    /** One span with every field OTLP has set to something unusual: the round-trip test's subject. */
    public static StoredSpan everything() {
        Attributes.Builder b = new Attributes.Builder();
        b.addString("s", "plain").addString("unicode", "ünïcödé ✓ 日本語 😀 \u0000 tab\tnewline\n")
                .addString("empty", "").addBool("t", true).addBool("f", false)
                .addLong("max", Long.MAX_VALUE).addLong("min", Long.MIN_VALUE).addLong("zero", 0)
                .addDouble("pi", Math.PI).addDouble("negzero", -0.0).addDouble("nan", Double.NaN)
                .addDouble("inf", Double.NEGATIVE_INFINITY).addBytes("bytes", new byte[] {0, -1, 127, -128, 42})
                .addBytes("nobytes", new byte[0])
                .addJson("arr", AttributeType.ARRAY, "[1,\"two\",{\"three\":3}]")
                .addJson("kv", AttributeType.KVLIST, "{\"a\":[true,null],\"b\":\"c\"}")
                .addString("s", "second value under a repeated key");
        Attributes spanAttrs = b.build();
        SpanResource resource = new SpanResource(attrs("service.name", "checkout ✓", "host.cpus", 8L,
                "cloud.zone", "eu-1", "weight", 0.5), 3, "https://opentelemetry.io/schemas/1.26.0");
        InstrumentationScope scope = new InstrumentationScope("io.opentelemetry.okhttp-3.0", "2.10.0-alpha",
                attrs("scope.attr", "x", "n", 1L), 2, "https://opentelemetry.io/schemas/1.21.0");
        List<SpanEvent> events = List.of(
                new SpanEvent(T0 + 5, "exception", attrs("exception.type", "java.io.IOException",
                        "exception.stacktrace", "at x\n\tat y"), 1),
                new SpanEvent(T0 - 1_000, "before start", Attributes.EMPTY, 0));
        List<SpanLink> links = List.of(
                new SpanLink(-1L, 0x0102030405060708L, Long.MIN_VALUE, "vendor=x,other=y", 0x301,
                        attrs("link.kind", "follows"), 4),
                new SpanLink(0, 0, 0, "", 0, Attributes.EMPTY, 0));
        Span span = new Span(0xFFEEDDCCBBAA9988L, 0x0011223344556677L, -2L, 0x7FFFFFFFFFFFFFFFL,
                "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", 0x101, "GET /api/ü/{id}", SpanKind.CONSUMER, T0,
                T0 + 1_234_567_891L, spanAttrs, 7, events, 9, links, 11, StatusCode.ERROR, "deadline exceeded ✗");
        return new StoredSpan(resource, scope, span);
    }

    public static void append(SpanAppender a, List<StoredSpan> spans) {
        for (StoredSpan s : spans) {
            a.append(s.resource(), s.scope(), s.span());
        }
    }

    public static void commit(SpanAppender a, List<StoredSpan> spans) throws IOException {
        append(a, spans);
        a.commit();
    }

    // --- random data for the property test ----------------------------------------------------------------------

    static final String[] KEYS = {"a", "b", "http.status", "service.name", "peer"};
    static final String[] STRINGS = {"", "x", "xy", "X", "ü", "😀", "a\nb", "x.y", "zzz", "€"};
    static final long[] LONGS = {-1, 0, 1, 2, 200, 404, 500, (1L << 53) + 1, Long.MIN_VALUE, Long.MAX_VALUE};
    static final double[] DOUBLES = {-0.0, 0.0, 1.0, 2.5, 200.0, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, 1e300, 9.007199254740993E15};
    static final String[] REGEXES = {"x.*", ".*", "", "[a-z]+", "ü|😀", "X|x", ".", "a.b"};
    static final String[] NAMES = {"GET", "POST /a", "db.query", "ü"};

    private static Attributes randomAttributes(SplittableRandom r, int max) {
        Attributes.Builder b = new Attributes.Builder();
        int n = r.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            String key = KEYS[r.nextInt(KEYS.length)];
            switch (r.nextInt(5)) {
                case 0, 1 -> b.addString(key, STRINGS[r.nextInt(STRINGS.length)]);
                case 2 -> b.addLong(key, LONGS[r.nextInt(LONGS.length)]);
                case 3 -> b.addDouble(key, DOUBLES[r.nextInt(DOUBLES.length)]);
                default -> b.addBool(key, r.nextBoolean());
            }
        }
        return b.build();
    }

    /** Random spans in a few traces over {@code hours} hours from T0, sharing a few resources. */
    static List<StoredSpan> randomSpans(SplittableRandom r, int count, int hours) {
        List<SpanResource> resources = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Attributes a = randomAttributes(r, 3);
            resources.add(new SpanResource(a, 0, ""));
        }
        resources.add(resource("svc-" + r.nextInt(3)));
        List<StoredSpan> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long trace = 1 + r.nextInt(Math.max(1, count / 3));
            long start = T0 + r.nextLong(hours * HOUR);
            long duration = r.nextInt(10) == 0 ? LONGS[r.nextInt(LONGS.length)] & 0x3FFFFFFFFFFFL
                    : r.nextLong(1_000_000_000L);
            Span s = new Span(0x1234, trace, i + 1, r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(count), "",
                    0, NAMES[r.nextInt(NAMES.length)], SpanKind.values()[r.nextInt(SpanKind.values().length)],
                    start, start + duration, randomAttributes(r, 4), 0, List.of(), 0, List.of(), 0,
                    StatusCode.values()[r.nextInt(3)], STRINGS[r.nextInt(STRINGS.length)]);
            out.add(new StoredSpan(resources.get(r.nextInt(resources.size())), InstrumentationScope.EMPTY, s));
        }
        return out;
    }

    private static Object randomValue(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> STRINGS[r.nextInt(STRINGS.length)];
            case 1 -> LONGS[r.nextInt(LONGS.length)];
            case 2 -> DOUBLES[r.nextInt(DOUBLES.length)];
            default -> r.nextBoolean();
        };
    }

    /** A random valid condition. */
    static SpanCondition randomCondition(SplittableRandom r) {
        while (true) {
            Op op = Op.values()[r.nextInt(Op.values().length)];
            Target target = r.nextBoolean() ? Target.ATTRIBUTE : Target.values()[r.nextInt(Target.values().length)];
            Object value = op == Op.REGEX || op == Op.NOT_REGEX ? REGEXES[r.nextInt(REGEXES.length)]
                    : switch (target) {
                        case KIND -> SpanKind.values()[r.nextInt(SpanKind.values().length)];
                        case STATUS -> StatusCode.values()[r.nextInt(3)];
                        case NAME -> r.nextBoolean() ? NAMES[r.nextInt(NAMES.length)] : STRINGS[r.nextInt(STRINGS.length)];
                        case DURATION -> r.nextBoolean() ? (Object) r.nextLong(1_000_000_000L)
                                : (Object) (r.nextDouble() * 1e9);
                        default -> op == Op.EXISTS ? null : randomValue(r);
                    };
            try {
                return target == Target.ATTRIBUTE
                        ? SpanCondition.attribute(Scope.values()[r.nextInt(3)], KEYS[r.nextInt(KEYS.length)], op, value)
                        : SpanCondition.intrinsic(target, op, value);
            } catch (IllegalArgumentException invalid) {
                // an operator that does not apply to the value: draw again
            }
        }
    }
}
