package dev.sightline.ingest.remotewrite;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RequestStringsTest {
    @Test
    void equalBytesAnywhereInTheRequestGiveOneStringAndOneUtf8Verdict() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int[] at = new int[2000];
        for (int i = 0; i < 1000; i++) {
            at[2 * i] = b.size();
            b.writeBytes(("v" + i).getBytes(StandardCharsets.UTF_8));
            at[2 * i + 1] = b.size();
            b.writeBytes(("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        int bad = b.size();
        b.write(0xc3);
        b.write(0x28);
        int bad2 = b.size();
        b.write(0xc3);
        b.write(0x28);
        byte[] buf = b.toByteArray();
        RequestStrings s = new RequestStrings(buf);
        for (int i = 0; i < 1000; i++) {
            int len = ("v" + i).length();
            String first = s.get(at[2 * i], len);
            assertThat(first).isEqualTo("v" + i);
            assertThat(s.lastValid).isTrue();
            assertThat(s.get(at[2 * i + 1], len)).isSameAs(first);
        }
        // After growing, earlier strings are still found.
        assertThat(s.get(at[1], 2)).isSameAs(s.get(at[0], 2));
        s.get(bad, 2);
        assertThat(s.lastValid).isFalse();
        s.get(at[0], 2);
        assertThat(s.lastValid).isTrue();
        s.get(bad2, 2);
        assertThat(s.lastValid).as("the verdict is remembered with the string").isFalse();
    }
}
