package dev.sightline.tsdb.block;

import dev.sightline.tsdb.chunk.ChunkEncoding;
import dev.sightline.tsdb.chunk.Chunks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a block's bytes go: the index by section, the chunk segments by encoding, and within the float chunks'
 * streams timestamps against values. A size-analysis tool: {@code java ... dev.sightline.tsdb.block.BlockStats DIR...}
 * prints one report per block directory (or per block under a data directory).
 */
public final class BlockStats {
    private BlockStats() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: BlockStats BLOCK_OR_DATA_DIR...");
        }
        for (String a : args) {
            Path p = Path.of(a);
            if (Files.exists(p.resolve(MetaFile.NAME))) {
                print(p, System.out);
            } else {
                try (Stream<Path> dirs = Files.list(p)) {
                    for (Path d : dirs.filter(d -> Files.exists(d.resolve(MetaFile.NAME))).sorted().toList()) {
                        print(d, System.out);
                    }
                }
            }
        }
    }

    /** Prints the breakdown of one block, each figure also in bytes per sample. */
    public static void print(Path blockDir, PrintStream out) throws IOException {
        BlockMeta meta = MetaFile.read(blockDir);
        double samples = meta.numSamples();
        long metaBytes = Files.size(blockDir.resolve(MetaFile.NAME));
        long indexBytes = Files.size(blockDir.resolve(IndexFormat.NAME));
        long segmentBytes;
        try (Stream<Path> files = Files.list(blockDir.resolve(BlockWriter.CHUNKS_DIR))) {
            segmentBytes = files.mapToLong(f -> f.toFile().length()).sum();
        }
        out.printf(Locale.ROOT, "block %s: %d series, %d chunks, %d samples, level %d%n", meta.ulid(), meta.numSeries(),
                meta.numChunks(), meta.numSamples(), meta.compactionLevel());
        line(out, "total", metaBytes + indexBytes + segmentBytes, samples);
        line(out, "meta.json", metaBytes, samples);
        line(out, "index", indexBytes, samples);
        int[] sections = IndexReader.open(blockDir.resolve(IndexFormat.NAME)).sectionLengths();
        for (int s = 0; s < sections.length; s++) {
            line(out, "  " + IndexFormat.SECTION_NAMES[s], sections[s], samples);
        }
        line(out, "chunk segments", segmentBytes, samples);
        Map<ChunkEncoding, long[]> byEncoding = new EnumMap<>(ChunkEncoding.class); // chunks, samples, bytes, ts bits
        long[] framing = new long[1];
        ChunkSegments.open(blockDir.resolve(BlockWriter.CHUNKS_DIR)).forEach((chunk, recordBytes) -> {
            long[] a = byEncoding.computeIfAbsent(chunk.encoding(), e -> new long[4]);
            a[0]++;
            a[1] += chunk.numSamples();
            a[2] += chunk.byteLength();
            a[3] += chunk.encoding() == ChunkEncoding.FLOAT_HISTOGRAM ? 0 : Chunks.timestampBits(chunk);
            framing[0] += recordBytes - chunk.byteLength();
        });
        line(out, "  record framing", framing[0], samples);
        byEncoding.forEach((enc, a) -> {
            line(out, String.format(Locale.ROOT, "  %s: %d chunks, %d samples", enc, a[0], a[1]), a[2], samples);
            if (a[3] > 0) {
                line(out, "    timestamps", a[3] / 8, samples);
                line(out, "    values and headers", a[2] - a[3] / 8, samples);
            }
        });
    }

    private static void line(PrintStream out, String what, long bytes, double samples) {
        out.printf(Locale.ROOT, "  %-48s %,14d bytes %8.4f bytes/sample%n", what, bytes, bytes / samples);
    }
}
