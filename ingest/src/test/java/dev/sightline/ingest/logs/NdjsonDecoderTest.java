package dev.sightline.ingest.logs;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NdjsonDecoderTest {
    private static final long NOW = 1_800_000_000_000_000_000L;

    private static List<LogEntry> decode(NdjsonDecoder d, String body) throws MalformedLogsException {
        CollectingSink sink = new CollectingSink();
        d.decode(body.getBytes(StandardCharsets.UTF_8), NOW, sink);
        return sink.entries;
    }

    private static final NdjsonDecoder DEFAULT = new NdjsonDecoder(NdjsonDecoder.DEFAULT_STREAM_FIELDS, Labels.EMPTY);

    @Test
    void streamFieldsTimeAndVerbatimLine() throws Exception {
        String l1 = "{\"time\":\"2024-05-01T10:00:00.123456789+02:00\",\"service\":\"payment\",\"env\":\"prod\",\"msg\":\"paid\",\"amount\":120,\"user\":{\"id\":7}}";
        String l2 = "{\"ts\":1714550400,\"app\":\"web\",\"msg\":\"hi\",\"trace_id\":\"abc123\",\"spanId\":\"def\"}";
        List<LogEntry> out = decode(DEFAULT, l1 + "\r\n\n   \n" + l2 + "\n");
        assertThat(out).hasSize(2);
        assertThat(out.get(0).line()).isEqualTo(l1);
        assertThat(out.get(0).stream()).isEqualTo(Labels.of("service", "payment", "env", "prod"));
        assertThat(out.get(0).timeNanos()).isEqualTo(1714550400_123456789L);
        assertThat(out.get(0).metadata()).isEqualTo(Labels.EMPTY);
        assertThat(out.get(1).stream()).isEqualTo(Labels.of("app", "web"));
        assertThat(out.get(1).timeNanos()).isEqualTo(1714550400_000000000L);
        assertThat(out.get(1).metadata()).isEqualTo(Labels.of(LogEntry.TRACE_ID, "abc123", LogEntry.SPAN_ID, "def"));
    }

    @Test
    void unixTimeUnitsByMagnitudeAndMissingTime() throws Exception {
        List<LogEntry> out = decode(DEFAULT, """
                {"timestamp":1714550400123}
                {"@timestamp":"1714550400123456"}
                {"time":1714550400123456789}
                {"ts":1714550400.5}
                {"msg":"no time"}
                {"ts":"2024-05-01T08:00:00Z","time":1}
                """);
        assertThat(out).extracting(LogEntry::timeNanos).containsExactly(1714550400_123000000L, 1714550400_123456000L,
                1714550400_123456789L, 1714550400_500000000L, NOW, 1_000_000_000L);
    }

    @Test
    void chosenStreamFieldsAndFixedLabels() throws Exception {
        NdjsonDecoder d = new NdjsonDecoder(List.of("host", "k8s.pod"), Labels.of("job", "import"));
        List<LogEntry> out = decode(d, "{\"host\":\"h1\",\"k8s.pod\":\"p\",\"service\":\"s\",\"nested\":{\"host\":\"no\"}}");
        assertThat(out.get(0).stream()).isEqualTo(Labels.of("host", "h1", "k8s_pod", "p", "job", "import"));
    }

    @Test
    void malformedLinesNameLineAndColumn() {
        assertThatThrownBy(() -> decode(DEFAULT, "{\"a\":1}\n{\"a\":2\n"))
                .isInstanceOf(MalformedLogsException.class).hasMessageStartingWith("invalid NDJSON at line 2, column");
        assertThatThrownBy(() -> decode(DEFAULT, "{\"a\":1}\n\n[1,2]\n")).hasMessageStartingWith("invalid NDJSON at line 3, column")
                .hasMessageContaining("one JSON object");
        assertThatThrownBy(() -> decode(DEFAULT, "{\"a\":1} {\"b\":2}")).hasMessageContaining("text after the JSON object");
        assertThatThrownBy(() -> decode(DEFAULT, "{\"time\":\"yesterday\"}"))
                .hasMessageContaining("line 1: field \"time\" value \"yesterday\" is neither RFC 3339 time nor unix time");
        byte[] bad = {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'};
        assertThatThrownBy(() -> DEFAULT.decode(bad, NOW, new CollectingSink())).hasMessage("invalid NDJSON at line 1: not valid UTF-8");
        // Fuzzing found it: a read-limit error has no location of its own (this was a NullPointerException, a 500).
        assertThatThrownBy(() -> decode(DEFAULT, "{\"a\":1}\n{\"" + "a".repeat(50_001) + "\":1}"))
                .isInstanceOf(MalformedLogsException.class).hasMessageStartingWith("invalid NDJSON at line 2, column ")
                .hasMessageContaining("Name length (50001) exceeds the maximum allowed");
    }
}
