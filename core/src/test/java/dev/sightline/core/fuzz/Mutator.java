package dev.sightline.core.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The one mutation engine of the fuzzing harness: takes a valid seed and applies one to four mutations, each chosen
 * among operators that break what decoders rely on: bit flips and byte overwrites, byte insertion and deletion,
 * truncation, splicing a piece of another seed in, corrupting a number where one starts (a protobuf varint length or
 * count, or a decimal number in text) with a boundary value, inserting a token of the target's language, repeating a
 * token or a piece of the input thousands of times (deep nesting, huge counts) and wrapping a piece of a protobuf
 * message in many layers of length-delimited fields (deep message nesting). The result never exceeds the target's
 * size bound. Input {@code i} of a run depends only on the run's seed and {@code i} ({@link #input}), so any failing
 * input can be made again from those two numbers.
 */
public final class Mutator {
    enum Op { FLIP_BIT, SET_BYTE, INSERT_BYTES, DELETE, TRUNCATE, SPLICE, NUMBER, TOKEN, REPEAT, WRAP }

    private static final Op[] OPS = Op.values();
    private static final byte[] INTERESTING_BYTES = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff, '\n', '"', '\\', '{', '[', 0x0a, 0x12};
    private static final long[] INTERESTING_VARINTS = {0, 1, 127, 128, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL,
            0x1_0000_0000L, Long.MAX_VALUE, -1L};
    private static final String[] INTERESTING_NUMBERS = {"0", "-1", "-0", "2147483648", "4294967296",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999",
            "1e309", "-1e309", "1e-400", "NaN", "Inf", "-Inf", "0x7fffffffffffffff", "1_000", "0.0000000001", ""};
    private static final int[] REPEATS = {2, 16, 256, 4096, 65536};
    private static final int[] WRAPS = {1, 2, 64, 1000, 10000};

    private final List<byte[]> seeds;
    private final List<byte[]> tokens;
    private final int maxSize;

    public Mutator(FuzzTarget target) {
        this(target.seeds(), target.tokens(), target.maxSize());
    }

    Mutator(List<byte[]> seeds, List<byte[]> tokens, int maxSize) {
        this.seeds = seeds;
        this.tokens = tokens;
        this.maxSize = maxSize;
    }

    /** Input {@code index} of the run seeded with {@code runSeed}: the same pair always gives the same bytes. */
    public byte[] input(long runSeed, long index) {
        return mutate(new SplittableRandom(runSeed * 0x9E3779B97F4A7C15L + index));
    }

    byte[] mutate(SplittableRandom r) {
        byte[] b = seeds.get(r.nextInt(seeds.size()));
        // Mostly one mutation, so most inputs stay near valid and reach deep into the decoder.
        int n = r.nextInt(8) < 5 ? 1 : 2 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            b = apply(OPS[r.nextInt(OPS.length)], b, r);
        }
        return b.length > maxSize ? Arrays.copyOf(b, maxSize) : b;
    }

    byte[] apply(Op op, byte[] b, SplittableRandom r) {
        if (b.length == 0 && op != Op.INSERT_BYTES && op != Op.TOKEN && op != Op.SPLICE && op != Op.REPEAT) {
            op = Op.INSERT_BYTES;
        }
        return switch (op) {
            case FLIP_BIT -> {
                byte[] c = b.clone();
                c[r.nextInt(c.length)] ^= (byte) (1 << r.nextInt(8));
                yield c;
            }
            case SET_BYTE -> {
                byte[] c = b.clone();
                c[r.nextInt(c.length)] = r.nextBoolean() ? INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)] : (byte) r.nextInt(256);
                yield c;
            }
            case INSERT_BYTES -> {
                byte[] ins = new byte[1 + r.nextInt(16)];
                for (int i = 0; i < ins.length; i++) {
                    ins[i] = (byte) r.nextInt(256);
                }
                yield replace(b, r.nextInt(b.length + 1), 0, ins);
            }
            case DELETE -> {
                int at = r.nextInt(b.length);
                yield replace(b, at, 1 + r.nextInt(Math.min(64, b.length - at)), new byte[0]);
            }
            case TRUNCATE -> Arrays.copyOf(b, r.nextInt(b.length));
            case SPLICE -> {
                byte[] other = seeds.get(r.nextInt(seeds.size()));
                if (other.length == 0) {
                    yield b;
                }
                int from = r.nextInt(other.length);
                byte[] piece = Arrays.copyOfRange(other, from, from + 1 + r.nextInt(other.length - from));
                int at = r.nextInt(b.length + 1);
                yield replace(b, at, r.nextBoolean() ? 0 : r.nextInt(b.length - at + 1), piece);
            }
            case NUMBER -> number(b, r);
            case TOKEN -> {
                byte[] t = token(b, r);
                yield replace(b, r.nextInt(b.length + 1), 0, t);
            }
            case REPEAT -> {
                // A token (an opening bracket nests, a label pair or a sample makes a huge count) or a piece of the input.
                byte[] unit;
                if (!tokens.isEmpty() && r.nextBoolean() || b.length == 0) {
                    unit = token(b, r);
                } else {
                    int from = r.nextInt(b.length);
                    unit = Arrays.copyOfRange(b, from, from + 1 + r.nextInt(Math.min(32, b.length - from)));
                }
                int times = Math.min(REPEATS[r.nextInt(REPEATS.length)], Math.max(1, (maxSize - b.length) / unit.length));
                byte[] run = new byte[unit.length * times];
                System.arraycopy(unit, 0, run, 0, unit.length);
                // Doubling what is filled: a few copies instead of one per unit (65,536 copies of one byte were slow).
                for (int filled = unit.length; filled < run.length; filled *= 2) {
                    System.arraycopy(run, 0, run, filled, Math.min(filled, run.length - filled));
                }
                yield replace(b, r.nextInt(b.length + 1), 0, run);
            }
            case WRAP -> wrap(b, r);
        };
    }

    private byte[] token(byte[] b, SplittableRandom r) {
        if (tokens.isEmpty()) {
            return new byte[]{INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)]};
        }
        return tokens.get(r.nextInt(tokens.size()));
    }

    /**
     * Replaces the number starting at a random position: a run of ASCII digits becomes a boundary value written in
     * text; anywhere else the bytes read as a protobuf varint there become a boundary varint (a corrupt length or
     * count).
     */
    private static byte[] number(byte[] b, SplittableRandom r) {
        int at = r.nextInt(b.length);
        if (isDigit(b[at])) {
            int start = at, end = at;
            while (start > 0 && isDigit(b[start - 1])) {
                start--;
            }
            while (end < b.length && (isDigit(b[end]) || b[end] == '.')) {
                end++;
            }
            byte[] v = INTERESTING_NUMBERS[r.nextInt(INTERESTING_NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
            return replace(b, start, end - start, v);
        }
        int end = at;
        while (end < b.length && end - at < 10 && (b[end] & 0x80) != 0) {
            end++;
        }
        end = Math.min(b.length, end + 1);
        long v = INTERESTING_VARINTS[r.nextInt(INTERESTING_VARINTS.length)];
        if (r.nextInt(4) == 0) {
            v += r.nextInt(-2, 3);
        }
        return replace(b, at, end - at, varint(v));
    }

    /**
     * Wraps a piece of the input in layers of a length-delimited field, its tag taken from the input where a byte
     * reads as a length-delimited tag (wire type 2): deep nesting for protobuf decoders that recurse.
     */
    private byte[] wrap(byte[] b, SplittableRandom r) {
        byte tag = 0x0a;
        for (int tries = 0; tries < 8; tries++) {
            byte c = b[r.nextInt(b.length)];
            if ((c & 7) == 2 && c > 0) {
                tag = c;
                break;
            }
        }
        int from = r.nextInt(b.length);
        int pieceLength = 1 + r.nextInt(b.length - from);
        int wanted = WRAPS[r.nextInt(WRAPS.length)];
        // The length inside each layer, innermost first; layers are added while the result stays under the bound.
        int[] inside = new int[wanted];
        int layers = 0, length = pieceLength;
        while (layers < wanted && length + 6 <= maxSize) {
            inside[layers++] = length;
            length += 1 + varintLength(length);
        }
        // Written outside in, in one array: building it layer by layer copied the piece once per layer (10,000 layers
        // of a 60 KiB result cost ~300 MB of copying for one input).
        byte[] wrapped = new byte[length];
        int at = 0;
        for (int i = layers - 1; i >= 0; i--) {
            wrapped[at++] = tag;
            at = putVarint(wrapped, at, inside[i]);
        }
        System.arraycopy(b, from, wrapped, at, pieceLength);
        return replace(b, from, pieceLength, wrapped);
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    static byte[] varint(long v) {
        byte[] out = new byte[10];
        return Arrays.copyOf(out, putVarint(out, 0, v));
    }

    /** Writes {@code v} as a varint at {@code at}; returns the position after it. */
    private static int putVarint(byte[] out, int at, long v) {
        while ((v & ~0x7fL) != 0) {
            out[at++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out[at++] = (byte) v;
        return at;
    }

    private static int varintLength(int v) {
        return v < 1 << 7 ? 1 : v < 1 << 14 ? 2 : v < 1 << 21 ? 3 : v < 1 << 28 ? 4 : 5;
    }

    /** {@code b} with {@code len} bytes at {@code at} replaced by {@code with}. */
    private static byte[] replace(byte[] b, int at, int len, byte[] with) {
        byte[] c = new byte[b.length - len + with.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(with, 0, c, at, with.length);
        System.arraycopy(b, at + len, c, at + with.length, b.length - at - len);
        return c;
    }
}
