package dev.sightline.server.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.github.loki4j.logback.JsonLayout;
import com.github.loki4j.logback.Loki4jAppender;
import com.github.loki4j.logback.PipelineConfigAppenderBase;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogFields;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Loki4j Logback appender from Maven Central as the real Loki push client, with both its encodings: JSON (here
 * with its JSON message layout) and protobuf + snappy (with a text pattern). Labels, structured metadata (level,
 * thread, MDC) and the event times must arrive in the log store as Loki would keep them.
 */
class Loki4jEndToEndTest {
    @TempDir
    Path dir;

    private static LoggerContext app(String url, boolean protobuf) {
        LoggerContext logback = new LoggerContext();
        logback.setName("loki4j-" + (protobuf ? "protobuf" : "json"));
        logback.setMDCAdapter(MDC.getMDCAdapter());
        Loki4jAppender appender = new Loki4jAppender();
        appender.setContext(logback);
        appender.setName("loki");
        PipelineConfigAppenderBase.HttpCfg http = new PipelineConfigAppenderBase.HttpCfg();
        http.setUrl(url);
        http.setUseProtobufApi(protobuf);
        appender.setHttp(http);
        PipelineConfigAppenderBase.BatchCfg batch = new PipelineConfigAppenderBase.BatchCfg();
        batch.setTimeoutMs(100);
        appender.setBatch(batch);
        appender.setLabels("app=checkout\nencoding=" + (protobuf ? "protobuf" : "json"));
        appender.setStructuredMetadata("level=%level\nthread=%thread\n*=%%mdc");
        if (!protobuf) {
            JsonLayout layout = new JsonLayout();
            layout.setContext(logback);
            appender.setMessage(layout);
        }
        appender.start();
        Logger root = logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        return logback;
    }

    private static void logSome(LoggerContext logback) {
        Logger log = logback.getLogger("com.shop.Payments");
        MDC.put("trace_id", "abc123");
        try {
            log.info("payment {} accepted", "p-1");
        } finally {
            MDC.remove("trace_id");
        }
        log.warn("retrying card");
        log.error("payment failed", new IllegalStateException("declined"));
        logback.stop(); // drains the appender's batch
    }

    private static long nowNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static void checkStored(List<LogEntry> lines, String encoding, long from, long to) {
        assertThat(lines).hasSize(3);
        for (LogEntry e : lines) {
            assertThat(e.stream()).isEqualTo(Labels.of("app", "checkout", "encoding", encoding, "service_name", "checkout"));
            assertThat(e.timeNanos()).isBetween(from, to);
            assertThat(e.metadata().get("thread")).isEqualTo(Thread.currentThread().getName());
        }
        assertThat(lines).extracting(e -> e.metadata().get("level")).containsExactly("INFO", "WARN", "ERROR");
        assertThat(lines).extracting(e -> e.metadata().get(LogEntry.LEVEL)).containsExactly("info", "warn", "error");
        assertThat(lines.get(0).metadata().get(LogEntry.TRACE_ID)).isEqualTo("abc123");
        assertThat(lines.get(1).metadata().get(LogEntry.TRACE_ID)).isNull();
    }

    @Test
    void jsonAndProtobufPushesLandInTheStore() throws Exception {
        try (RunningServer running = new RunningServer().start(dir, null)) {
            String url = running.uri(LogPushEndpoint.LOKI_PATH).toString();
            long from = nowNanos();
            logSome(app(url, false));
            logSome(app(url, true));
            long to = nowNanos();
            var store = running.server().logs();

            List<LogEntry> json = StoredLogs.await(store, "encoding", "json", 3);
            checkStored(json, "json", from, to);
            // JsonLayout writes each event as a JSON object: the line is kept verbatim, so | json reads its fields.
            Map<String, String> fields = LogFields.json(json.get(0).line());
            assertThat(fields).containsEntry("message", "payment p-1 accepted").containsEntry("level", "INFO")
                    .containsEntry("logger_name", "com.shop.Payments");
            assertThat(LogFields.json(json.get(2).line())).as(json.get(2).line())
                    .hasEntrySatisfying("stack_trace", v -> assertThat(v).contains("IllegalStateException: declined"));

            List<LogEntry> proto = StoredLogs.await(store, "encoding", "protobuf", 3);
            checkStored(proto, "protobuf", from, to);
            assertThat(proto.get(0).line()).contains("payment p-1 accepted");
            assertThat(proto.get(2).line()).contains("payment failed").contains("IllegalStateException: declined");

            String metrics = running.get("/metrics").body();
            assertThat(metrics).contains("sightline_ingest_log_lines_total{protocol=\"loki_json\",result=\"accepted\"} 3.0")
                    .contains("sightline_ingest_log_lines_total{protocol=\"loki_protobuf\",result=\"accepted\"} 3.0")
                    .contains("sightline_ingest_log_requests_total{code=\"204\",protocol=\"loki_protobuf\"}");
        }
    }
}
