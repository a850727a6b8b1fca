package dev.sightline.server.promapi;

import dev.sightline.core.text.GoQuote;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParamsTest {
    @Test
    void timesAsUnixSecondsOrRfc3339() {
        assertThat(Params.parseTimeMs("1435781451.781")).isEqualTo(1435781451781L);
        assertThat(Params.parseTimeMs("1435781451")).isEqualTo(1435781451000L);
        assertThat(Params.parseTimeMs("1.5e3")).isEqualTo(1_500_000L);
        assertThat(Params.parseTimeMs("-1.5")).isEqualTo(-1500L);
        // Rounded to milliseconds, as Prometheus does.
        assertThat(Params.parseTimeMs("1.0006")).isEqualTo(1001L);
        assertThat(Params.parseTimeMs("2015-07-01T20:10:51.781Z")).isEqualTo(1435781451781L);
        assertThat(Params.parseTimeMs("2015-07-01T20:10:51Z")).isEqualTo(1435781451000L);
        assertThat(Params.parseTimeMs("2015-07-01T22:10:51.781123456+02:00")).isEqualTo(1435781451781L);
        assertThat(Params.parseTimeMs("-292273086-05-16T16:47:06Z")).isEqualTo(Params.MIN_TIME_MS);
        assertThat(Params.parseTimeMs("292277025-08-18T07:12:54.999999999Z")).isEqualTo(Params.MAX_TIME_MS);
        for (String bad : new String[]{"", "x", "2015-07-01T20:10Z", "2015-07-01 20:10:51Z", "1d", " 1", "NaN"}) {
            assertThatThrownBy(() -> Params.parseTimeMs(bad)).as(bad)
                    .hasMessage("cannot parse " + GoQuote.quote(bad) + " to a valid timestamp");
        }
    }

    @Test
    void durationsAsSecondsOrPrometheusStrings() {
        assertThat(Params.parseDurationNanos("15")).isEqualTo(15_000_000_000L);
        assertThat(Params.parseDurationNanos("0.5")).isEqualTo(500_000_000L);
        assertThat(Params.parseDurationNanos("1m30s")).isEqualTo(90_000_000_000L);
        assertThat(Params.parseDurationNanos("1ms")).isEqualTo(1_000_000L);
        assertThatThrownBy(() -> Params.parseDurationNanos("1e10")).hasMessage("cannot parse \"1e10\" to a valid duration. It overflows int64");
        assertThatThrownBy(() -> Params.parseDurationNanos("30x")).hasMessage("cannot parse \"30x\" to a valid duration");
        assertThatThrownBy(() -> Params.parseDurationNanos("")).hasMessage("cannot parse \"\" to a valid duration");
    }

    @Test
    void goAtoi() {
        assertThat(Params.parseGoInt("+12")).isEqualTo(12);
        assertThatThrownBy(() -> Params.parseGoInt("1.5")).hasMessage("strconv.Atoi: parsing \"1.5\": invalid syntax");
        assertThatThrownBy(() -> Params.parseGoInt("99999999999999999999"))
                .hasMessage("strconv.Atoi: parsing \"99999999999999999999\": value out of range");
    }

    @Test
    void unescapesU__Names() {
        assertThat(PromApi.unescapeName("U__http_2e_method")).isEqualTo("http.method");
        assertThat(PromApi.unescapeName("U__a__b")).isEqualTo("a_b");
        assertThat(PromApi.unescapeName("U__bad_zz_")).isEqualTo("U__bad_zz_");
    }
}
