package dev.sightline.server.drill;

import dev.sightline.demo.sim.MetricSink;
import dev.sightline.demo.sim.Series;
import dev.sightline.demo.sim.SignalSource;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A drill's synthetic series (docs/drills.md, signals), stepped with the company over the same OTLP path, history and
 * replay alike, with the drill's fault applied to its signal inside the fault's window. Deterministic: each signal
 * draws its noise from its own stream seeded from the drill's seed and the signal's identity, one draw per step, and
 * its time of day is the company's (the clock's plus the drill's shift), as the company's rhythms are.
 */
final class DrillSignals implements SignalSource {
    private static final double DAY_MILLIS = 86_400_000d;

    private final List<DrillSpec.Signal> specs;
    private final Series[] series;
    private final SplittableRandom[] noise;
    /** The last value sent (a gauge's value, a counter's rate): what freeze holds. */
    private final double[] last;
    /** A counter's fractional increments not yet sent (counters go out as whole numbers). */
    private final double[] carry;
    private final DrillSpec.SignalFault fault;
    private final long faultFrom;
    private final long faultTo;
    private final long shift;

    /**
     * {@code fault} (may be null) applies to steps ending in [faultFrom, faultTo) on the clock; the daily swing reads
     * the clock plus {@code shiftMillis}.
     */
    DrillSignals(long seed, List<DrillSpec.Signal> specs, DrillSpec.SignalFault fault, long faultFrom, long faultTo,
                 long shiftMillis) {
        this.specs = specs;
        this.series = new Series[specs.size()];
        this.noise = new SplittableRandom[specs.size()];
        this.last = new double[specs.size()];
        this.carry = new double[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            DrillSpec.Signal s = specs.get(i);
            series[i] = new Series(s.service(), s.metric(), s.counter() ? Series.Kind.COUNTER : Series.Kind.GAUGE,
                    "drill signal " + s.metric(), s.labels());
            noise[i] = new SplittableRandom(seed ^ series[i].stream());
        }
        this.fault = fault;
        this.faultFrom = faultFrom;
        this.faultTo = faultTo;
        this.shift = shiftMillis;
    }

    @Override
    public void step(long t, long stepMillis, MetricSink sink) {
        boolean inFault = fault != null && t >= faultFrom && t < faultTo;
        for (int i = 0; i < series.length; i++) {
            DrillSpec.Signal s = specs.get(i);
            double u = noise[i].nextDouble(-1, 1);
            double day = Math.floorMod(t + shift, (long) DAY_MILLIS) / DAY_MILLIS;
            double v = s.baseline() * (1 + s.dailyAmplitude() * Math.sin(2 * Math.PI * day))
                    * (1 + s.noise() * u);
            if (inFault && fault.signal() == i) {
                switch (fault.effect()) {
                    case SCALE -> v *= fault.value();
                    case OFFSET -> v += fault.value();
                    case FREEZE -> v = last[i];
                    case STOP -> {
                        continue;
                    }
                }
            }
            last[i] = v;
            if (s.counter()) {
                // A frozen counter holds its total: no increase.
                double inc = inFault && fault.signal() == i && fault.effect() == DrillSpec.Effect.FREEZE
                        ? 0 : Math.max(0, v) * stepMillis / 1000d + carry[i];
                long whole = (long) Math.floor(inc);
                carry[i] = inc - whole;
                sink.add(series[i], whole);
            } else {
                sink.set(series[i], v);
            }
        }
    }
}
