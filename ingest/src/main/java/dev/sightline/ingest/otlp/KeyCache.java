package dev.sightline.ingest.otlp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Attribute keys read from a request's bytes as one String per distinct key: the spans of a request repeat the same
 * few dozen keys, so each is decoded once instead of once per span, and the spans share the instances. Direct-mapped
 * (a colliding key replaces the slot's), hashing the bytes in place: a hit allocates nothing. The bytes must already
 * be checked UTF-8 ({@link OtlpProtobuf#checkTraces}).
 */
final class KeyCache {
    private static final int SLOTS = 256;
    private final byte[][] bytes = new byte[SLOTS][];
    private final String[] strings = new String[SLOTS];

    String get(byte[] buf, int at, int len) {
        int h = len;
        for (int i = at; i < at + len; i++) {
            h = 31 * h + buf[i];
        }
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        byte[] k = bytes[slot];
        if (k != null && Arrays.equals(k, 0, k.length, buf, at, at + len)) {
            return strings[slot];
        }
        String s = new String(buf, at, len, StandardCharsets.UTF_8);
        bytes[slot] = Arrays.copyOfRange(buf, at, at + len);
        strings[slot] = s;
        return s;
    }
}
