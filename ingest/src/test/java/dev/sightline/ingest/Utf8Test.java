package dev.sightline.ingest;

import dev.sightline.core.LabelLimits;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8Test {
    @Property(tries = 3000)
    void agreesWithTheJdksStrictDecoder(@ForAll byte[] b) {
        boolean jdk;
        try {
            LabelLimits.decodeUtf8Strict(b, 0, b.length);
            jdk = true;
        } catch (CharacterCodingException e) {
            jdk = false;
        }
        assertThat(Utf8.isValid(b, 0, b.length)).isEqualTo(jdk);
    }

    @Property(tries = 1000)
    void everyEncodedStringIsValid(@ForAll String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        // Java replaces lone surrogates with '?' when encoding, so every encoded string is well-formed.
        assertThat(Utf8.isValid(b, 0, b.length)).isTrue();
    }

    @Test
    void encodedLengthIsWhatGetBytesGives() {
        for (String s : new String[] {"", "ascii", "é", "€uro", "\uD83D\uDE00 emoji", "lone \uD800 surrogate", "\uDC00"}) {
            assertThat(Utf8.encodedLength(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }
}
