package dev.sightline.tsdb.block;

import dev.sightline.core.Labels;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * The memory-mapped index of a block. Opening verifies every section's checksum and loads the symbol table and the
 * label index (names, values, postings offsets) onto the heap; series entries and postings lists are decoded from
 * the mapping on demand. Thread-safe: all reads are absolute.
 */
final class IndexReader {
    private static final int[] NO_IDS = new int[0];

    private final MappedByteBuffer buf;
    private final String[] symbols;
    private final String[] names;                   // sorted
    private final Map<String, LabelValues> labels;  // name -> its sorted values and their postings offsets
    private final int seriesStart;                  // content start of the series section
    private final int seriesEnd;
    private final int offsetsStart;                 // first u32 of the series offset table
    private final int numSeries;
    private final int postingsStart;
    private final int postingsEnd;
    private final int[] sectionLengths;

    private record LabelValues(String[] values, int[] postingsOffsets) {
    }

    private IndexReader(MappedByteBuffer buf, String[] symbols, String[] names, Map<String, LabelValues> labels,
                        int seriesStart, int seriesEnd, int offsetsStart, int numSeries, int postingsStart, int postingsEnd,
                        int[] sectionLengths) {
        this.buf = buf;
        this.symbols = symbols;
        this.names = names;
        this.labels = labels;
        this.seriesStart = seriesStart;
        this.seriesEnd = seriesEnd;
        this.offsetsStart = offsetsStart;
        this.numSeries = numSeries;
        this.postingsStart = postingsStart;
        this.postingsEnd = postingsEnd;
        this.sectionLengths = sectionLengths;
    }

    static IndexReader open(Path file) throws IOException {
        MappedByteBuffer buf;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new CorruptBlockException(file, -1, "index larger than 2 GiB");
            }
            buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        } catch (NoSuchFileException e) {
            throw new CorruptBlockException(file, "missing", e);
        }
        int size = buf.limit();
        if (size < IndexFormat.HEADER_SIZE + IndexFormat.TOC_SIZE || buf.getInt(0) != IndexFormat.MAGIC) {
            throw new CorruptBlockException(file, 0, "bad index magic or file too short (" + size + " bytes)");
        }
        if ((buf.get(4) & 0xFF) != IndexFormat.VERSION) {
            throw new CorruptBlockException(file, 4, "unsupported index version " + (buf.get(4) & 0xFF));
        }
        int tocStart = size - IndexFormat.TOC_SIZE;
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(tocStart, IndexFormat.SECTIONS * 8));
        if ((int) crc.getValue() != buf.getInt(size - 4)) {
            throw new CorruptBlockException(file, tocStart, "table of contents checksum mismatch");
        }
        int[] start = new int[IndexFormat.SECTIONS];
        int[] end = new int[IndexFormat.SECTIONS];
        for (int s = 0; s < IndexFormat.SECTIONS; s++) {
            long off = buf.getLong(tocStart + 8 * s);
            String name = IndexFormat.SECTION_NAMES[s];
            if (off < IndexFormat.HEADER_SIZE || off + 8 > tocStart) {
                throw new CorruptBlockException(file, tocStart + 8L * s, "section " + name + " offset " + off + " out of range");
            }
            int len = buf.getInt((int) off);
            if (len < 0 || off + 4 + len + 4 > tocStart) {
                throw new CorruptBlockException(file, off, "section " + name + " length " + len + " overruns the file");
            }
            start[s] = (int) off + 4;
            end[s] = start[s] + len;
            crc.reset();
            crc.update(buf.slice(start[s], len));
            if ((int) crc.getValue() != buf.getInt(end[s])) {
                throw new CorruptBlockException(file, off, "section " + name + " checksum mismatch");
            }
        }
        try {
            Decbuf d = new Decbuf(buf, start[IndexFormat.SYMBOLS], end[IndexFormat.SYMBOLS]);
            String[] symbols = new String[d.getUvarintInt()];
            for (int i = 0; i < symbols.length; i++) {
                symbols[i] = d.getString();
            }
            d = new Decbuf(buf, start[IndexFormat.LABEL_INDEX], end[IndexFormat.LABEL_INDEX]);
            String[] names = new String[d.getUvarintInt()];
            Map<String, LabelValues> labels = new HashMap<>(names.length * 2);
            for (int i = 0; i < names.length; i++) {
                names[i] = symbols[d.getUvarintInt()];
                String[] values = new String[d.getUvarintInt()];
                int[] offsets = new int[values.length];
                for (int v = 0; v < values.length; v++) {
                    values[v] = symbols[d.getUvarintInt()];
                    offsets[v] = d.getUvarintInt();
                }
                labels.put(names[i], new LabelValues(values, offsets));
            }
            d = new Decbuf(buf, start[IndexFormat.SERIES_OFFSETS], end[IndexFormat.SERIES_OFFSETS]);
            int numSeries = d.getUvarintInt();
            if ((long) numSeries * 4 != d.remaining()) {
                throw new CorruptBlockException(file, start[IndexFormat.SERIES_OFFSETS],
                        "series offset table holds " + d.remaining() + " bytes for " + numSeries + " series");
            }
            return new IndexReader(buf, symbols, names, labels, start[IndexFormat.SERIES], end[IndexFormat.SERIES],
                    d.position(), numSeries, start[IndexFormat.POSTINGS], end[IndexFormat.POSTINGS], lengths(start, end));
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptBlockException(file, "malformed index content: " + e.getMessage(), e);
        }
    }

    private static int[] lengths(int[] start, int[] end) {
        int[] len = new int[start.length];
        for (int s = 0; s < len.length; s++) {
            len[s] = end[s] - start[s];
        }
        return len;
    }

    /** Content bytes of each section, in {@link IndexFormat#SECTION_NAMES} order (size analysis). */
    int[] sectionLengths() {
        return sectionLengths.clone();
    }

    int numSeries() {
        return numSeries;
    }

    List<String> labelNames() {
        return List.of(names);
    }

    List<String> labelValues(String name) {
        LabelValues lv = labels.get(name);
        return lv == null ? List.of() : List.of(lv.values);
    }

    int[] allPostings() {
        int[] ids = new int[numSeries];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        return ids;
    }

    /** Sorted ids of the series having label {@code name} with a value accepted by {@code accept}. */
    int[] postings(String name, Predicate<String> accept) {
        LabelValues lv = labels.get(name);
        if (lv == null) {
            return NO_IDS;
        }
        int[][] lists = new int[lv.values.length][];
        int n = 0;
        int total = 0;
        for (int v = 0; v < lv.values.length; v++) {
            if (accept.test(lv.values[v])) {
                lists[n] = readPostings(lv.postingsOffsets[v]);
                total += lists[n++].length;
            }
        }
        if (n == 0) {
            return NO_IDS;
        }
        if (n == 1) {
            return lists[0];
        }
        // A series has one value per name, so the lists are disjoint: concatenate and sort.
        int[] all = new int[total];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            System.arraycopy(lists[i], 0, all, pos, lists[i].length);
            pos += lists[i].length;
        }
        Arrays.sort(all);
        return all;
    }

    /** Ids of the series with exactly {@code name=value}. */
    int[] postingsEqual(String name, String value) {
        LabelValues lv = labels.get(name);
        if (lv == null) {
            return NO_IDS;
        }
        int i = Arrays.binarySearch(lv.values, value);
        return i < 0 ? NO_IDS : readPostings(lv.postingsOffsets[i]);
    }

    private int[] readPostings(int offset) {
        Decbuf d = new Decbuf(buf, postingsStart + offset, postingsEnd);
        int[] ids = new int[d.getUvarintInt()];
        int prev = 0;
        for (int i = 0; i < ids.length; i++) {
            prev += d.getUvarintInt();
            ids[i] = prev;
        }
        return ids;
    }

    /** Decodes the labels of series {@code id}. */
    Labels labels(int id) {
        return readSeries(id, null);
    }

    /**
     * Decodes series {@code id}: returns its labels and, when {@code metas} is given, fills it with the chunk metas
     * that overlap [metas.mint, metas.maxt].
     */
    Labels readSeries(int id, ChunkMetas metas) {
        Decbuf d = new Decbuf(buf, seriesStart + buf.getInt(offsetsStart + 4 * id), seriesEnd);
        int n = d.getUvarintInt();
        String[] kv = new String[2 * n];
        for (int i = 0; i < 2 * n; i++) {
            kv[i] = symbols[d.getUvarintInt()];
        }
        if (metas != null) {
            metas.n = 0;
            int chunks = d.getUvarintInt();
            long prevMax = 0;
            for (int c = 0; c < chunks; c++) {
                long min = c == 0 ? d.getVarint() : prevMax + d.getVarint();
                long max = min + d.getUvarint();
                long ref = d.getUvarint();
                prevMax = max;
                if (max >= metas.mint && min <= metas.maxt) {
                    metas.add(min, max, ref);
                }
            }
        }
        return Labels.of(kv);
    }

    /** Chunk metas of one series restricted to a time range. */
    static final class ChunkMetas {
        final long mint;
        final long maxt;
        long[] mins = new long[4];
        long[] maxs = new long[4];
        long[] refs = new long[4];
        int n;

        ChunkMetas(long mint, long maxt) {
            this.mint = mint;
            this.maxt = maxt;
        }

        void add(long min, long max, long ref) {
            if (n == refs.length) {
                mins = Arrays.copyOf(mins, n * 2);
                maxs = Arrays.copyOf(maxs, n * 2);
                refs = Arrays.copyOf(refs, n * 2);
            }
            mins[n] = min;
            maxs[n] = max;
            refs[n++] = ref;
        }
    }
}
