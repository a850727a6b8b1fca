package dev.sightline.tsdb.block;

import dev.sightline.core.LabelMatcher;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.chunk.ChunkEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A block written by the code before PACKED chunks (chunk segment version 1: XOR and DECIMAL float chunks, one with a
 * start-timestamp column), stored under test resources with the samples it was written from (samples.txt: name,
 * start timestamp, timestamp, value bits in hex). It must read sample for sample, and compact into a version 2 block
 * of PACKED chunks that reads the same and is smaller.
 */
class BlockFormatCompatTest {
    private static final String ULID = "01M96QYH38AE5S75PCV4DPQSXQ";

    @TempDir
    Path dir;

    private Path fixture() throws IOException, URISyntaxException {
        Path src = Path.of(Objects.requireNonNull(getClass().getResource("v1")).toURI());
        Path block = dir.resolve(ULID);
        Files.createDirectories(block.resolve(BlockWriter.CHUNKS_DIR));
        for (String f : List.of(MetaFile.NAME, IndexFormat.NAME, BlockWriter.CHUNKS_DIR + "/" + ChunkSegmentWriter.segmentName(1))) {
            Files.copy(src.resolve(ULID).resolve(f), block.resolve(f));
        }
        return block;
    }

    private static List<String> expected() throws IOException, URISyntaxException {
        Path f = Path.of(Objects.requireNonNull(BlockFormatCompatTest.class.getResource("v1/samples.txt")).toURI());
        return Files.readAllLines(f);
    }

    private static List<String> read(Block b) throws Exception {
        List<String> out = new ArrayList<>();
        try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("job", "fixture"));
            SampleIterator it = null;
            while (set.next()) {
                String name = set.at().labels().get("__name__");
                it = set.at().iterator(it);
                while (it.next() == ValueType.FLOAT) {
                    out.add(name + " " + it.startTimestamp() + " " + it.timestamp() + " "
                            + Long.toHexString(Double.doubleToRawLongBits(it.value())));
                }
            }
        }
        return out;
    }

    private static Set<ChunkEncoding> encodings(Path block) throws IOException {
        Set<ChunkEncoding> seen = EnumSet.noneOf(ChunkEncoding.class);
        ChunkSegments.open(block.resolve(BlockWriter.CHUNKS_DIR)).forEach((c, bytes) -> seen.add(c.encoding()));
        return seen;
    }

    private static int segmentVersion(Path block) throws IOException {
        return Files.readAllBytes(block.resolve(BlockWriter.CHUNKS_DIR).resolve(ChunkSegmentWriter.segmentName(1)))[4];
    }

    @Test
    void aVersionOneBlockReadsAndCompactsIntoPackedChunks() throws Exception {
        Path old = fixture();
        assertThat(segmentVersion(old)).isEqualTo(1);
        assertThat(encodings(old)).containsExactlyInAnyOrder(ChunkEncoding.XOR, ChunkEncoding.DECIMAL);
        List<String> want = expected();
        assertThat(want).hasSize(1800);
        long oldSize;
        try (Block b = Block.open(old)) {
            assertThat(read(b)).isEqualTo(want);
            oldSize = b.sizeBytes();
            BlockMeta m = new Compactor(dir, Compactor.exponentialRanges(2 * 3_600_000L, 3)).compact(List.of(b));
            Path fresh = dir.resolve(m.ulid());
            assertThat(segmentVersion(fresh)).isEqualTo(ChunkSegmentWriter.VERSION);
            assertThat(encodings(fresh)).containsExactly(ChunkEncoding.PACKED);
            try (Block c = Block.open(fresh)) {
                assertThat(read(c)).isEqualTo(want);
                assertThat(c.sizeBytes()).isLessThan(oldSize);
            }
        }
    }

    /** BlockStats accounts for every byte: meta + index + segments = total, the sections and records add up. */
    @Test
    void blockStatsSplitsEveryByteOfOldAndNewBlocks() throws Exception {
        Path old = fixture();
        BlockMeta m;
        try (Block b = Block.open(old)) {
            m = new Compactor(dir, Compactor.exponentialRanges(2 * 3_600_000L, 3)).compact(List.of(b));
        }
        for (Path block : List.of(old, dir.resolve(m.ulid()))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BlockStats.print(block, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String out = bytes.toString(StandardCharsets.UTF_8);
            long meta = Files.size(block.resolve(MetaFile.NAME));
            long index = Files.size(block.resolve(IndexFormat.NAME));
            long segments = Files.size(block.resolve(BlockWriter.CHUNKS_DIR).resolve(ChunkSegmentWriter.segmentName(1)));
            assertThat(figure(out, "total")).isEqualTo(meta + index + segments);
            assertThat(figure(out, "index")).isEqualTo(index);
            long sections = 0;
            for (String s : IndexFormat.SECTION_NAMES) {
                sections += figure(out, s);
            }
            // Each section is framed by a length and a CRC; the header and table of contents come on top.
            assertThat(sections + 8L * IndexFormat.SECTIONS + IndexFormat.HEADER_SIZE + IndexFormat.TOC_SIZE).isEqualTo(index);
            long chunks = 0;
            for (String line : out.lines().filter(l -> l.matches("\\s+(XOR|DECIMAL|PACKED): .*")).toList()) {
                chunks += Long.parseLong(line.replaceAll(".*samples\\s+([0-9,]+) bytes.*", "$1").replace(",", ""));
            }
            assertThat(chunks + figure(out, "record framing") + ChunkSegmentWriter.HEADER_SIZE).isEqualTo(segments);
            assertThat(out).contains(block.equals(old) ? "DECIMAL: 4 chunks, 1200 samples" : "PACKED: 3 chunks, 1800 samples");
        }
    }

    /** The bytes figure of the report line that starts (after indentation) with {@code what}. */
    private static long figure(String report, String what) {
        String line = report.lines().filter(l -> l.trim().startsWith(what + " ")).findFirst().orElseThrow();
        return Long.parseLong(line.replaceAll(".*?\\s([0-9,]+) bytes.*", "$1").replace(",", ""));
    }

    @Test
    void aSegmentOfAnUnknownVersionIsRefusedNamingIt() throws Exception {
        Path old = fixture();
        Path seg = old.resolve(BlockWriter.CHUNKS_DIR).resolve(ChunkSegmentWriter.segmentName(1));
        byte[] b = Files.readAllBytes(seg);
        b[4] = (byte) (ChunkSegmentWriter.VERSION + 1);
        Files.write(seg, b);
        assertThatThrownBy(() -> Block.open(old))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("unsupported segment version " + (ChunkSegmentWriter.VERSION + 1));
    }
}
