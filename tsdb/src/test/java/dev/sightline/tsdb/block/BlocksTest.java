package dev.sightline.tsdb.block;

import dev.sightline.core.LabelMatcher;
import dev.sightline.metricstore.Querier;
import dev.sightline.tsdb.merge.TestSeriesSets.ArraySeries;
import dev.sightline.tsdb.merge.TestSeriesSets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.sightline.tsdb.merge.TestSeriesSets.dump;
import static dev.sightline.tsdb.merge.TestSeriesSets.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlocksTest {
    @TempDir
    Path dir;

    private static final long HOUR = 3_600_000L;
    private static final long STEP = 30_000;

    private BlockMeta write(long start) throws IOException {
        List<ArraySeries> data = BlockTestData.series(start, STEP, (int) (2 * HOUR / STEP));
        return BlockWriter.write(dir, start, start + 2 * HOUR, TestSeriesSets.of(data));
    }

    private static void flipByte(Path file, long offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) offset] ^= 0x40;
        Files.write(file, b);
    }

    @Test
    void flippedChunkByteIsReportedWithFileAndOffset() throws IOException {
        BlockMeta m = write(0);
        Path seg = dir.resolve(m.ulid()).resolve("chunks").resolve("000001");
        flipByte(seg, Files.size(seg) / 2);
        assertThatThrownBy(() -> Block.open(dir.resolve(m.ulid())))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining(seg.toString()).hasMessageContaining("chunk")
                .satisfies(e -> {
                    CorruptBlockException c = (CorruptBlockException) e;
                    assertThat(c.file()).isEqualTo(seg);
                    assertThat(c.offset()).isBetween(8L, Files.size(seg) / 2);
                });
    }

    @Test
    void flippedIndexByteIsReported() throws IOException {
        BlockMeta m = write(0);
        Path index = dir.resolve(m.ulid()).resolve("index");
        for (long off : new long[]{2, Files.size(index) / 3, Files.size(index) - 10}) {
            flipByte(index, off);
            assertThatThrownBy(() -> Block.open(dir.resolve(m.ulid())))
                    .isInstanceOf(CorruptBlockException.class).hasMessageContaining(index.toString());
            flipByte(index, off); // restore
        }
        Block.open(dir.resolve(m.ulid())).close();
    }

    @Test
    void changedMetaDigitIsCaughtByItsChecksum() throws IOException {
        BlockMeta m = write(0);
        Path meta = dir.resolve(m.ulid()).resolve("meta.json");
        String json = Files.readString(meta);
        int at = json.indexOf("\"maxTime\"");
        int digit = at + json.substring(at).indexOf(':') + 2;
        char c = json.charAt(digit);
        // Still valid JSON, a different number: only the checksum can tell.
        Files.writeString(meta, json.substring(0, digit) + (c == '9' ? '8' : (char) (c + 1)) + json.substring(digit + 1));
        assertThatThrownBy(() -> Block.open(dir.resolve(m.ulid())))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining(meta.toString()).hasMessageContaining("checksum");
        Files.writeString(meta, json.replace("{", "["));
        assertThatThrownBy(() -> Block.open(dir.resolve(m.ulid())))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining(meta.toString());
        Files.delete(meta);
        assertThatThrownBy(() -> Block.open(dir.resolve(m.ulid())))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining("missing");
    }

    @Test
    void truncatedSegmentIsReported() throws IOException {
        BlockMeta m = write(0);
        Path seg = dir.resolve(m.ulid()).resolve("chunks").resolve("000001");
        byte[] b = Files.readAllBytes(seg);
        Files.write(seg, java.util.Arrays.copyOf(b, b.length - 3));
        assertThatThrownBy(() -> Block.open(dir.resolve(m.ulid())))
                .isInstanceOf(CorruptBlockException.class).hasMessageContaining("overruns");
    }

    @Test
    void openAllQuarantinesCorruptBlocksAndStillOpensTheGoodOnes() throws IOException {
        BlockMeta good2 = write(4 * HOUR);
        BlockMeta badChunk = write(2 * HOUR);
        BlockMeta good1 = write(0);
        BlockMeta badIndex = write(6 * HOUR);
        BlockMeta badMeta = write(8 * HOUR);
        Path seg = dir.resolve(badChunk.ulid()).resolve("chunks/000001");
        flipByte(seg, Files.size(seg) - 20);
        flipByte(dir.resolve(badIndex.ulid()).resolve("index"), 40);
        Files.writeString(dir.resolve(badMeta.ulid()).resolve("meta.json"), "{\"version\": 1", StandardCharsets.UTF_8);
        Path tmp = dir.resolve(Ulid.generate() + ".tmp");
        Files.createDirectories(tmp.resolve("chunks"));
        Files.writeString(tmp.resolve("chunks/000001"), "partial");
        Files.createDirectories(dir.resolve("wal"));
        Files.writeString(dir.resolve("wal/00000000"), "wal data");
        Files.writeString(dir.resolve("lock"), "");
        Files.createDirectories(dir.resolve("not-a-block"));

        List<LogRecord> logs = new ArrayList<>();
        Logger logger = Logger.getLogger(Blocks.class.getName());
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logs.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(h);
        List<Block> blocks;
        try {
            blocks = Blocks.openAll(dir);
        } finally {
            logger.removeHandler(h);
        }

        assertThat(blocks).extracting(b -> b.meta().ulid()).containsExactly(good1.ulid(), good2.ulid());
        for (BlockMeta bad : List.of(badChunk, badIndex, badMeta)) {
            assertThat(dir.resolve("corrupted").resolve(bad.ulid())).isDirectory();
            assertThat(dir.resolve(bad.ulid())).doesNotExist();
            assertThat(logs).anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.WARNING);
                assertThat(r.getMessage()).contains(bad.ulid());
            });
        }
        assertThat(logs.stream().filter(r -> r.getMessage().contains(badChunk.ulid())).findFirst().orElseThrow().getMessage())
                .contains("checksum");
        assertThat(tmp).doesNotExist();
        assertThat(dir.resolve("wal/00000000")).hasContent("wal data");
        assertThat(dir.resolve("lock")).exists();
        assertThat(dir.resolve("not-a-block")).isDirectory();

        // The good blocks serve their data.
        List<ArraySeries> data = BlockTestData.series(0, STEP, (int) (2 * HOUR / STEP));
        try (Querier q = blocks.get(0).querier(0, 2 * HOUR)) {
            assertThat(dump(q.select(true, 0, 2 * HOUR, LabelMatcher.re("job", ".+")))).isEqualTo(expected(data, 0, 2 * HOUR - 1));
        }

        assertThat(Blocks.openAll(dir.resolve("fresh"))).isEmpty();
        // A second start finds the same good blocks and leaves the quarantine alone.
        assertThat(Blocks.openAll(dir)).hasSize(2);
        assertThat(dir.resolve("corrupted").toFile().list()).hasSize(3);
    }

    @Test
    void ulidsAreValidAndSortByTime() {
        java.util.Random r = new java.util.Random(1);
        String a = Ulid.of(1_000, r), b = Ulid.of(2_000, r), c = Ulid.of((1L << 48) - 1, r);
        assertThat(a).hasSize(26).matches("[0-9A-HJKMNP-TV-Z]{26}");
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(c);
        assertThat(Ulid.isValid(a) && Ulid.isValid(c)).isTrue();
        // 48 bits of time fill the first 10 characters: 2000 = 1*32^2 + 30*32 + 16 -> "1YG".
        assertThat(b).startsWith("00000001YG");
        assertThat(c).startsWith("7ZZZZZZZZZ");
        assertThat(Ulid.of(0, r)).startsWith("0000000000");
        assertThat(Ulid.isValid("wal")).isFalse();
        assertThat(Ulid.isValid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")).isFalse(); // more than 128 bits
        assertThat(Ulid.isValid(a.replace(a.charAt(5), 'U'))).isFalse();
    }
}
