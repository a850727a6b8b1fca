package dev.sightline.core.text;

/** UTF-8 sizes counted without encoding, for hot paths that must not allocate (line bytes, wire sizes). */
public final class Utf8 {
    private Utf8() {
    }

    /**
     * The length of {@code s} in UTF-8, exactly {@code s.getBytes(UTF_8).length}: a surrogate pair is 4 bytes, an
     * unpaired surrogate 1 (Java encodes it as {@code ?}).
     */
    public static int encodedLength(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return n;
    }
}
