package dev.sightline.core.text;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8Test {
    @Test
    void countsAsJavaEncodes() {
        for (String s : new String[] {"", "ascii", "é", "€uro", "😀 pair", "lone \ud83d high", "lone \ude00 low",
                "end \ud83d", "\u07ff\u0800\uffff"}) {
            assertThat(Utf8.encodedLength(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }
}
