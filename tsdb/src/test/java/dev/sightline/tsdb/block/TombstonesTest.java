package dev.sightline.tsdb.block;

import dev.sightline.tsdb.tombstone.Intervals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The block's tombstones file: round trip, a missing file, damage refused with the file named. */
class TombstonesTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAndAMissingFileMeansNone() throws Exception {
        assertThat(Tombstones.read(dir).isEmpty()).isTrue();
        Tombstones t = Tombstones.NONE.with(7, 10, 20).with(3, Long.MIN_VALUE, -1).with(7, 30, Long.MAX_VALUE).with(7, 21, 25);
        t.write(dir);
        assertThat(dir.resolve("tombstones.tmp")).doesNotExist();
        Tombstones back = Tombstones.read(dir);
        assertThat(back.numSeries()).isEqualTo(2);
        assertThat(back.get(3)).isEqualTo(Intervals.of(Long.MIN_VALUE, -1));
        assertThat(back.get(7)).isEqualTo(Intervals.of(10, 25).add(30, Long.MAX_VALUE));
        assertThat(back.get(5)).isNull();
    }

    @Test
    void aDamagedFileIsACorruptBlock() throws Exception {
        Tombstones.NONE.with(1, 0, 100).write(dir);
        Path file = dir.resolve("tombstones");
        byte[] b = Files.readAllBytes(file);
        for (int i = 0; i < b.length; i++) {
            byte[] damaged = b.clone();
            damaged[i] ^= 0x10;
            Files.write(file, damaged);
            assertThatThrownBy(() -> Tombstones.read(dir)).as("byte %d flipped", i)
                    .isInstanceOf(CorruptBlockException.class).hasMessageContaining(file.toString());
        }
        Files.write(file, java.util.Arrays.copyOf(b, 6));
        assertThatThrownBy(() -> Tombstones.read(dir)).isInstanceOf(CorruptBlockException.class).hasMessageContaining("torn");
    }
}
