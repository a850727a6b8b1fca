package dev.sightline.logs;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LogFieldsTest {
    @Test
    void jsonFlattensNestedObjectsSkipsArraysAndSanitizesNames() {
        Map<String, String> f = LogFields.json(
                "{\"user\":{\"id\":7,\"e-mail\":\"a@b\"},\"tags\":[1,2],\"ok\":true,\"n\":null,\"2x\":\"é\",\"user_id\":9}");
        assertThat(f).containsExactly(Map.entry("user_id", "7"), Map.entry("user_e_mail", "a@b"),
                Map.entry("ok", "true"), Map.entry("n", ""), Map.entry("_2x", "é"));
    }

    @Test
    void jsonRejectsWhatIsNotOneObject() {
        assertThat(LogFields.json("[1]")).isNull();
        assertThat(LogFields.json("{\"a\":1} trailing")).isNull();
        assertThat(LogFields.json("{\"a\":")).isNull();
        assertThat(LogFields.json("level=info")).isNull();
    }

    @Test
    void logfmtReadsQuotedEscapedAndBareKeys() {
        assertThat(LogFields.logfmt("level=info msg=\"two \\\"words\\\"\" bare dur=1.5s  x.y=1"))
                .containsExactly(Map.entry("level", "info"), Map.entry("msg", "two \"words\""),
                        Map.entry("bare", ""), Map.entry("dur", "1.5s"), Map.entry("x_y", "1"));
        assertThat(LogFields.logfmt("msg=\"never closed")).isNull();
    }

    @Test
    void conversionsFollowGoParsers() {
        assertThat(LogFields.number("1e3")).isEqualTo(1000);
        assertThat(LogFields.number("-Inf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(LogFields.number("1d")).isNaN();
        assertThat(LogFields.number("0x10")).isNaN();
        assertThat(LogFields.number("")).isNaN();
        assertThat(LogFields.number("10.0.0.1")).isNaN();
        assertThat(LogFields.number("2026-12-06T12:40:00Z")).isNaN();
        assertThat(LogFields.number(" 1")).as("Go reads no blanks").isNaN();
        assertThat(LogFields.number("1e")).isNaN();
        assertThat(LogFields.number(".5e-3")).isEqualTo(5e-4);
        assertThat(LogFields.number("+infinity")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(LogFields.number("NaN")).isNaN();
        assertThat(LogFields.number("i")).isNaN();
        assertThat(LogFields.number("-in")).isNaN();
        assertThat(LogFields.durationSeconds("1.2.3s")).isNaN();
        assertThat(LogFields.durationSeconds(".s")).isNaN();
        assertThat(LogFields.bytes("10.0.0.1")).isNaN();
        assertThat(LogFields.bytes("1,500 KB")).isEqualTo(1.5e6);
        assertThat(LogFields.durationSeconds("1h2m")).isEqualTo(3720);
        assertThat(LogFields.durationSeconds("1.5s")).isEqualTo(1.5);
        assertThat(LogFields.durationSeconds("300ms")).isEqualTo(0.3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(LogFields.durationSeconds("-2us")).isEqualTo(-2e-6);
        assertThat(LogFields.durationSeconds("0")).isZero();
        assertThat(LogFields.durationSeconds("5")).isNaN();
        assertThat(LogFields.durationSeconds("5d")).isNaN();
        assertThat(LogFields.bytes("1.5KB")).isEqualTo(1500);
        assertThat(LogFields.bytes("2 KiB")).isEqualTo(2048);
        assertThat(LogFields.bytes("512")).isEqualTo(512);
        assertThat(LogFields.bytes("lots")).isNaN();
    }

    @Test
    void fieldConditionFollowsLokisLabelFilterReading() {
        Labels stream = Labels.of("service", "payment");
        FieldCondition over100 = FieldCondition.compare(FieldCondition.Parser.JSON, "amount",
                FieldCondition.Type.NUMBER, FieldCondition.Op.GT, 100);
        assertThat(over100.matches(entry(stream, "{\"amount\":150}"))).isTrue();
        assertThat(over100.matches(entry(stream, "{\"amount\":\"150\"}"))).isTrue();
        assertThat(over100.matches(entry(stream, "{\"amount\":50}"))).isFalse();
        assertThat(over100.matches(entry(stream, "{\"other\":500}"))).as("missing field fails").isFalse();
        assertThat(over100.matches(entry(stream, "{\"amount\":\"lots\"}"))).as("conversion error passes").isTrue();
        assertThat(over100.matches(entry(stream, "not json"))).as("parse error passes").isTrue();
        FieldCondition service = FieldCondition.string(FieldCondition.Parser.JSON, "service", "payment");
        assertThat(service.matches(entry(stream, "{\"service\":\"other\"}"))).as("stream label wins").isTrue();
        FieldCondition slow = FieldCondition.compare(FieldCondition.Parser.LOGFMT, "took",
                FieldCondition.Type.DURATION, FieldCondition.Op.GE, 1);
        assertThat(slow.matches(entry(stream, "msg=done took=1.2s"))).isTrue();
        assertThat(slow.matches(entry(stream, "msg=done took=900ms"))).isFalse();
    }

    private static LogEntry entry(Labels stream, String line) {
        return new LogEntry(1, stream, Labels.EMPTY, line);
    }
}
