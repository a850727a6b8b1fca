package dev.sightline.ingest.exposition;

import dev.sightline.ingest.exposition.ExpositionParser.Entry;
import dev.sightline.ingest.exposition.ExpositionParser.Format;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parsing an OpenMetrics scrape with _created lines as the scrape loop reads a known series (raw series bytes, value,
 * start timestamp) allocates nothing per sample.
 */
class CreatedAllocationTest {
    static String exposition() {
        StringBuilder sb = new StringBuilder("# TYPE req counter\n");
        for (int i = 0; i < 500; i++) {
            sb.append("req_total{path=\"/p").append(i).append("\"} ").append(i * 7).append('\n');
            sb.append("req_created{path=\"/p").append(i).append("\"} 1.7000000").append(i % 10).append("1234e+09\n");
        }
        sb.append("# TYPE lat histogram\n");
        for (int i = 0; i < 100; i++) {
            for (String le : new String[]{"0.005", "0.01", "0.05", "0.1", "0.5", "1.0", "5.0", "+Inf"}) {
                sb.append("lat_bucket{path=\"/p").append(i).append("\",le=\"").append(le).append("\"} 3\n");
            }
            sb.append("lat_count{path=\"/p").append(i).append("\"} 3\n");
            sb.append("lat_sum{path=\"/p").append(i).append("\"} 0.25\n");
            sb.append("lat_created{path=\"/p").append(i).append("\"} 1700000000.5\n");
        }
        return sb.append("# EOF\n").toString();
    }

    static double sink;

    /** What the scrape loop reads of a known series; returns how many samples had a start. */
    private static int parse(byte[] b) throws ExpositionException {
        ExpositionParser p = new ExpositionParser(Format.OPENMETRICS, b, 0, b.length);
        int withStart = 0;
        for (Entry e = p.next(); e != Entry.EOF; e = p.next()) {
            if (e == Entry.SAMPLE) {
                sink += p.seriesEnd() - p.seriesStart() + p.value();
                withStart += p.startTimestamp() > 0 ? 1 : 0;
            }
        }
        return withStart;
    }

    @Test
    void bytesPerSample() throws Exception {
        byte[] b = exposition().getBytes(StandardCharsets.UTF_8);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(parse(b)).isEqualTo(500 + 100 * 10);
        for (int i = 0; i < 2000; i++) {
            parse(b);
        }
        int samples = 500 * 2 + 100 * 11;
        long before = mx.getCurrentThreadAllocatedBytes();
        int rounds = 200;
        for (int i = 0; i < rounds; i++) {
            parse(b);
        }
        double perSample = (mx.getCurrentThreadAllocatedBytes() - before) / (double) rounds / samples;
        System.out.println("CreatedAllocationTest bytes/sample " + perSample);
        // Per scrape: the parser, its span arrays and the family names; nothing per sample (51.7 bytes before the
        // exponent form of _created values, "1.7e+09", was parsed without the JDK).
        assertThat(perSample).isLessThan(4);
    }
}
