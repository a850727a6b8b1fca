package dev.sightline.ingest.remotewrite;

import dev.sightline.ingest.Utf8;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The label strings of one request, by their bytes: a name or value repeated across series (names always, job and
 * instance values mostly) becomes one String, decoded and UTF-8-checked once per request rather than per series.
 * Open addressing over byte ranges of the request buffer, at most half full. Used by one decoder.
 */
final class RequestStrings {
    private final byte[] buf;
    private int[] at = new int[256];
    private int[] length = new int[256];
    private String[] strings = new String[256];
    private boolean[] valid = new boolean[256];
    private int size;
    /** Whether the bytes of the last {@link #get} were valid UTF-8. */
    boolean lastValid;

    RequestStrings(byte[] buf) {
        this.buf = buf;
    }

    String get(int off, int len) {
        int mask = strings.length - 1;
        int i = hash(off, len) & mask;
        for (String s = strings[i]; s != null; s = strings[i = (i + 1) & mask]) {
            if (length[i] == len && Arrays.equals(buf, at[i], at[i] + len, buf, off, off + len)) {
                lastValid = valid[i];
                return s;
            }
        }
        String s = new String(buf, off, len, StandardCharsets.UTF_8);
        lastValid = Utf8.isValid(buf, off, len);
        at[i] = off;
        length[i] = len;
        strings[i] = s;
        valid[i] = lastValid;
        if (++size * 2 > strings.length) {
            grow();
        }
        return s;
    }

    private int hash(int off, int len) {
        int h = len;
        for (int i = off, end = off + len; i < end; i++) {
            h = 31 * h + buf[i];
        }
        return (h * 0x9E3779B9) ^ (h >>> 16);
    }

    private void grow() {
        int[] oldAt = at, oldLength = length;
        String[] oldStrings = strings;
        boolean[] oldValid = valid;
        int n = oldStrings.length * 2;
        at = new int[n];
        length = new int[n];
        strings = new String[n];
        valid = new boolean[n];
        for (int j = 0; j < oldStrings.length; j++) {
            if (oldStrings[j] != null) {
                int i = hash(oldAt[j], oldLength[j]) & (n - 1);
                while (strings[i] != null) {
                    i = (i + 1) & (n - 1);
                }
                at[i] = oldAt[j];
                length[i] = oldLength[j];
                strings[i] = oldStrings[j];
                valid[i] = oldValid[j];
            }
        }
    }
}
