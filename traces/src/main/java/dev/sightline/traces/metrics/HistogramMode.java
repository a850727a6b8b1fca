package dev.sightline.traces.metrics;

import java.util.Locale;

/** Which histogram forms the generator writes, as Tempo's {@code generate_native_histograms} names them. */
public enum HistogramMode {
    /** {@code _bucket}, {@code _sum} and {@code _count} series. */
    CLASSIC,
    /** One native histogram series under the metric's own name. */
    NATIVE,
    /** Both, so dashboards of either kind work. */
    BOTH;

    boolean classic() {
        return this != NATIVE;
    }

    boolean nativeHistograms() {
        return this != CLASSIC;
    }

    /** "classic", "native" or "both"; anything else throws naming the choices. */
    public static HistogramMode parse(String s) {
        for (HistogramMode m : values()) {
            if (m.name().toLowerCase(Locale.ROOT).equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("\"" + s + "\" is not one of classic, native, both");
    }
}
