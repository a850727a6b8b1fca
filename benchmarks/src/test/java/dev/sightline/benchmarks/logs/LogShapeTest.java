package dev.sightline.benchmarks.logs;

import dev.sightline.logs.LogFields;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogShapeTest {
    private static final long START = 1_765_000_000_000_000_000L, DAY = TimeUnit.DAYS.toNanos(1);

    @Test
    void chunksAreDeterministicBySeedAndIndex() {
        LogShape a = new LogShape(7, 10_000, START, DAY), b = new LogShape(7, 10_000, START, DAY);
        assertThat(a.chunk(3, 1000)).isEqualTo(b.chunk(3, 1000));
        assertThat(a.chunk(3, 1000)).isNotEqualTo(a.chunk(4, 1000));
        assertThat(new LogShape(8, 10_000, START, DAY).chunk(3, 1000)).isNotEqualTo(a.chunk(3, 1000));
    }

    @Test
    void linesHaveTheAdvertisedShape() {
        int n = 50_000, chunk = 4000;
        LogShape shape = new LogShape(1, n, START, DAY);
        Set<Integer> streams = new HashSet<>();
        int json = 0, timeouts = 0, count = 0;
        int[] levels = new int[LogShape.LEVELS.length];
        long last = Long.MIN_VALUE;
        for (int c = 0; c < shape.chunks(chunk); c++) {
            for (LogShape.Line l : shape.chunk(c, chunk)) {
                count++;
                int bytes = l.text().getBytes(StandardCharsets.UTF_8).length;
                assertThat(bytes).as(l.text()).isBetween(LogShape.MIN_BYTES, LogShape.MAX_BYTES);
                assertThat(l.timestampNanos()).isGreaterThanOrEqualTo(last).isGreaterThanOrEqualTo(START).isLessThan(START + DAY);
                last = l.timestampNanos();
                streams.add(l.stream());
                levels[l.level()]++;
                Map<String, String> fields = LogFields.json(l.text());
                if (fields != null) {
                    json++;
                    assertThat(LogShape.service(l.stream())).isIn((Object[]) evenServices());
                } else {
                    fields = LogFields.logfmt(l.text());
                    assertThat(fields).as(l.text()).isNotNull();
                }
                assertThat(fields).as(l.text()).containsKeys("ts", "level", "msg", "duration_ms", "status", "method", "path");
                assertThat(fields.get("level")).isEqualTo(l.levelName());
                assertThat(LogFields.number(fields.get("duration_ms"))).isPositive();
                if (l.stream() / LogShape.ENVS.length == 2) {
                    assertThat(fields).containsKey("amount"); // payment
                }
                if (l.text().contains(LogShape.TIMEOUT)) {
                    timeouts++;
                    assertThat(l.level()).isGreaterThanOrEqualTo(2);
                }
            }
        }
        assertThat(count).isEqualTo(n);
        assertThat(streams).hasSize(LogShape.STREAMS);
        assertThat(json).isBetween(n / 4, 3 * n / 4);
        assertThat(timeouts).isBetween(n / 50, 3 * n / 50);
        assertThat(levels).doesNotContain(0);
    }

    @Test
    void labelsAreALokiSelector() {
        assertThat(LogShape.labels(0)).isEqualTo("{service=\"frontend\", env=\"prod\"}");
        assertThat(LogShape.labels(LogShape.STREAMS - 1)).isEqualTo("{service=\"notification\", env=\"dev\"}");
    }

    @Test
    void refusesAnEmptyOrTooDenseShape() {
        assertThatThrownBy(() -> new LogShape(1, 0, START, DAY)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 lines");
        assertThatThrownBy(() -> new LogShape(1, 100, START, 99)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 ns per line");
    }

    private static String[] evenServices() {
        List<String> out = new java.util.ArrayList<>();
        for (int s = 0; s < LogShape.SERVICES.length; s += 2) {
            out.add(LogShape.SERVICES[s]);
        }
        return out.toArray(String[]::new);
    }
}
