package dev.sightline.timeindex;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimePartitionsTest {
    @TempDir
    Path root;

    /** A partition that holds one file; opening one whose file says "corrupt" fails. */
    record FilePartition(Path dir, long start, long end) implements Closeable {
        static FilePartition open(Path dir, long start, long end) throws IOException {
            Path f = dir.resolve("data");
            if (Files.exists(f) && Files.readString(f).equals("corrupt")) {
                throw new IOException("checksum failed in " + f);
            }
            if (!Files.exists(f)) {
                Files.writeString(f, "x".repeat(100));
            }
            return new FilePartition(dir, start, end);
        }

        @Override
        public void close() {
        }
    }

    private TimePartitions<FilePartition> open(long duration) throws IOException {
        return TimePartitions.open(root, duration, FilePartition::open);
    }

    /** Found by fuzzing OTLP spans: the last partition ends at Long.MAX_VALUE, which it holds too. */
    @Test
    void theLastInstantBelongsToTheLastPartitionEveryTime() throws IOException {
        try (var t = open(100)) {
            var last = t.forTime(Long.MAX_VALUE);
            assertThat(last.end()).isEqualTo(Long.MAX_VALUE);
            assertThat(last.start()).isLessThan(Long.MAX_VALUE);
            assertThat(t.forTime(Long.MAX_VALUE)).isSameAs(last);
            assertThat(t.forTime(Long.MAX_VALUE - 1)).isSameAs(last);
            assertThat(t.all()).hasSize(1);
            assertThat(t.overlapping(Long.MAX_VALUE, Long.MAX_VALUE)).containsExactly(last);
        }
    }

    /**
     * Found by fuzzing OTLP spans over HTTP: a time near Long.MIN_VALUE aligned down wrapped to a huge positive start,
     * clipped to an end of 0 by the partition above, and every later span reopened that directory (a 503: "Lock held
     * by this virtual machine").
     */
    @Test
    void theFirstInstantsGetOnePartitionThatStartsAtTheBeginningOfTime() throws IOException {
        try (var t = open(7_200_000_000_000L)) {
            var now = t.forTime(0);
            var first = t.forTime(Long.MIN_VALUE + 763_145_224_191L);
            assertThat(first.start()).isEqualTo(Long.MIN_VALUE);
            assertThat(first.end()).isEqualTo(Long.MIN_VALUE + 7_200_000_000_000L).isLessThan(now.start());
            assertThat(t.forTime(Long.MIN_VALUE + 763_145_224_191L)).isSameAs(first);
            assertThat(t.forTime(Long.MIN_VALUE)).isSameAs(first);
            assertThat(t.all()).hasSize(2);
        }
    }

    @Test
    void aTimeGetsAnAlignedPartitionClippedToItsNeighbours() throws IOException {
        try (var t = open(100)) {
            var a = t.forTime(150);
            assertThat(a.start()).isEqualTo(100);
            assertThat(a.end()).isEqualTo(200);
            assertThat(t.forTime(199)).isSameAs(a);
            assertThat(t.forTime(-1).start()).isEqualTo(-100);
        }
        try (var t = open(1000)) { // a longer duration leaves the old partitions as they are
            assertThat(t.all()).hasSize(2);
            var b = t.forTime(250);
            assertThat(b.start()).isEqualTo(200);
            assertThat(b.end()).isEqualTo(1000);
            var c = t.forTime(50);
            assertThat(c.start()).isEqualTo(0);
            assertThat(c.end()).isEqualTo(100);
            assertThat(t.overlapping(90, 210)).extracting(TimePartitions.Slot::start).containsExactly(200L, 100L, 0L);
            assertThat(t.overlapping(200, 200)).extracting(TimePartitions.Slot::start).containsExactly(200L);
        }
    }

    @Test
    void retentionDropsWholePartitionsByTimeThenBySizeButNeverTheNewest() throws IOException {
        try (var t = open(100)) {
            for (long time = 0; time < 500; time += 100) {
                t.forTime(time);
            }
            assertThat(t.retain(200, 0)).extracting(TimePartitions.Slot::start).containsExactly(0L, 100L);
            assertThat(dirs()).hasSize(3);
            assertThat(t.retain(Long.MIN_VALUE, 250)).extracting(TimePartitions.Slot::start).containsExactly(200L);
            assertThat(t.retain(Long.MAX_VALUE, 1)).extracting(TimePartitions.Slot::start).containsExactly(300L);
            assertThat(t.all()).extracting(TimePartitions.Slot::start).containsExactly(400L);
        }
    }

    @Test
    void aPartitionThatFailsToOpenIsQuarantinedAndTheOthersStay() throws IOException {
        try (var t = open(100)) {
            t.forTime(0);
            Files.writeString(t.forTime(100).dir().resolve("data"), "corrupt");
        }
        try (var t = open(100)) {
            assertThat(t.all()).extracting(TimePartitions.Slot::start).containsExactly(0L);
        }
        try (Stream<Path> q = Files.list(root.resolve("quarantine"))) {
            assertThat(q.toList()).singleElement().satisfies(p ->
                    assertThat(p.getFileName().toString()).startsWith("p_100_200."));
        }
    }

    @Test
    void quarantineAtRunTimeRemovesThePartition() throws IOException {
        try (var t = open(100)) {
            var a = t.forTime(0);
            t.forTime(100);
            t.quarantine(a, new IOException("read failed"));
            t.quarantine(a, new IOException("again")); // a second report of the same partition is a no-op
            assertThat(t.all()).extracting(TimePartitions.Slot::start).containsExactly(100L);
            assertThat(dirs()).hasSize(1);
        }
    }

    @Test
    void foldersThatAreNotPartitionsAreIgnored() throws IOException {
        Files.createDirectories(root.resolve("partitions/notes"));
        Files.createDirectories(root.resolve("partitions/p_5_1"));
        try (var t = open(100)) {
            assertThat(t.all()).isEmpty();
        }
    }

    @Test
    void aDurationMustBePositive() {
        assertThatThrownBy(() -> open(0)).hasMessageContaining("partition duration must be positive");
    }

    private java.util.List<Path> dirs() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("partitions"))) {
            return s.toList();
        }
    }
}
