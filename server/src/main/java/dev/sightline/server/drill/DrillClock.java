package dev.sightline.server.drill;

import dev.sightline.demo.sim.SimClock;
import dev.sightline.synthetics.SteppedClock;

/**
 * A drill's simulated time, one clock for both sides: the company's replay (its product cache, its halt webhook) and
 * the drill server's canaries and journeys, which run as the runner steps it. It stands still between steps, so any
 * length of replay takes no waiting.
 */
final class DrillClock extends SteppedClock implements SimClock {
    DrillClock(long startMillis) {
        super(startMillis);
    }
}
