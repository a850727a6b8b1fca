package dev.sightline.ingest.remotewrite;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException.Reason;
import dev.sightline.core.ValidationException;
import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.MetricType;
import dev.sightline.ingest.Utf8;
import dev.sightline.metricstore.Appender;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a prometheus.WriteRequest (remote-write 1.0, prompb/remote.proto and types.proto) straight into a
 * storage {@link Appender}: no message objects. Per series the labels are built once, or not at all when the context's
 * series ref cache knows their bytes; per float sample nothing is allocated. A series is read in two passes over its
 * bytes (labels first, then samples), because protobuf does not promise that labels come before samples.
 *
 * <p>A structural error anywhere (truncation, bad wire type, bad varint) ends decoding with
 * {@link MalformedRequestException}. A series whose labels are invalid is refused with all its samples, and a
 * sample the appender refuses is counted; decoding continues with the rest in both cases. One instance per request.
 */
final class WriteRequestDecoder extends RemoteWriteDecoder {
    // WriteRequest
    private static final int WR_TIMESERIES = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int WR_METADATA = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    // TimeSeries
    private static final int TS_LABEL = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TS_SAMPLE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TS_EXEMPLAR = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TS_HISTOGRAM = tag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    // Label
    private static final int LABEL_NAME = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int LABEL_VALUE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    // Exemplar
    private static final int EX_LABEL = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int EX_VALUE = tag(2, WireFormat.WIRETYPE_FIXED64);
    private static final int EX_TIMESTAMP = tag(3, WireFormat.WIRETYPE_VARINT);
    // MetricMetadata
    private static final int MD_TYPE = tag(1, WireFormat.WIRETYPE_VARINT);
    private static final int MD_FAMILY = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int MD_HELP = tag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int MD_UNIT = tag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);

    private final HistogramReader.Ints labelRanges = new HistogramReader.Ints();
    private final RequestStrings strings;

    /** The request's series looked up ahead (the caller's, reused); null without a ref cache. */
    private final RefLookAhead ahead;
    /** The current series' message, and the one whose labels {@link #labelRanges} holds (-1 for none). */
    private int seriesFrom, seriesTo, rangesOf = -1;

    WriteRequestDecoder(byte[] buf, Appender appender, IngestContext context, LabelLimits labelLimits, int maxReportedErrors,
                        RefLookAhead ahead) {
        super(buf, appender, context, labelLimits, maxReportedErrors, "WriteRequest", false);
        this.strings = new RequestStrings(buf);
        this.ahead = context.seriesRefs() == null ? null : ahead;
    }

    @Override
    void decode(int off, int len) throws MalformedRequestException {
        // One stream for the whole request; a series' labels are scanned on the raw bytes first (no objects).
        int looked = lookAhead(off, len);
        CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
        try {
            for (int t = in.readTag(), k = 0; t != 0; t = in.readTag()) {
                if (t == WR_TIMESERIES) {
                    int l = readLength(in, off);
                    int start = off + in.getTotalBytesRead();
                    if (l > off + len - start) {
                        throw malformed(start, "timeseries of " + l + " bytes runs past the end of the message");
                    }
                    seriesFrom = start;
                    seriesTo = start + l;
                    if (k < looked && ahead.at[k] == start) {
                        long cached = ahead.refs[k];
                        if (cached == 0) {
                            scanLabels(start, start + l);
                            resetHash();
                        }
                        startSeries(ahead.hashes[2 * k], ahead.hashes[2 * k + 1], cached);
                        k++;
                    } else {
                        scanLabels(start, start + l);
                        startSeries();
                    }
                    int lim = in.pushLimit(l);
                    seriesBody(in, off);
                    in.popLimit(lim);
                } else if (t == WR_METADATA) {
                    int l = readLength(in, off);
                    int start = off + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    metadata(start, l);
                } else {
                    in.skipField(t);
                }
            }
        } catch (IOException e) {
            throw malformed(off + in.getTotalBytesRead(), e.getMessage());
        }
    }

    /**
     * First pass over the request on the raw bytes: each series' label-bytes hash, then all their cached refs at once
     * (see {@link RefLookAhead}); returns how many series it found. A structural error ends it early and is left to
     * the decoding pass, which reports it where it meets it.
     */
    private int lookAhead(int off, int len) {
        if (ahead == null) {
            return 0;
        }
        ahead.size = 0;
        int end = off + len;
        pos = off;
        try {
            while (pos < end) {
                int t = scanTag(end);
                if (t != WR_TIMESERIES) {
                    scanSkip(t, end);
                    continue;
                }
                int l = scanLength(end);
                int start = pos;
                scanLabels(start, start + l);
                ahead.ensureRoom();
                ahead.at[ahead.size] = start;
                finishHash(ahead.hashes, ahead.size++);
                pos = start + l;
            }
        } catch (MalformedRequestException e) {
            resetHash();
        }
        rangesOf = -1;
        ahead.lookUp(context.seriesRefs());
        appender.prefetch(ahead.refs, ahead.size);
        return ahead.size;
    }

    // ---- TimeSeries ----

    /** Second pass over a series (the stream limited to it): samples, histograms and exemplars. */
    private void seriesBody(CodedInputStream in, int base) throws IOException, MalformedRequestException {
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == TS_SAMPLE) {
                readSample(in, base);
            } else if (t == TS_HISTOGRAM) {
                readHistogramSample(in, base);
            } else if (t == TS_EXEMPLAR) {
                int lim = in.pushLimit(readLength(in, base));
                readExemplar(in, base);
                in.popLimit(lim);
            } else {
                in.skipField(t);
            }
        }
    }

    /**
     * First pass over buf[from, to), on the raw bytes: where each label's name and value are (in {@link #labelRanges}:
     * name offset, name length, value offset, value length); no strings yet. The label fields' bytes are hashed for
     * the series ref cache, adjacent fields (the usual case) as one range. Structure errors throw.
     */
    private void scanLabels(int from, int to) throws MalformedRequestException {
        labelRanges.size = 0;
        rangesOf = from;
        int hashFrom = from, hashTo = from;
        pos = from;
        while (pos < to) {
            int fieldStart = pos;
            int t = scanTag(to);
            if (t != TS_LABEL) {
                scanSkip(t, to);
                continue;
            }
            int labelLen = scanLength(to);
            int end = pos + labelLen;
            int nameAt = 0, nameLen = 0, valueAt = 0, valueLen = 0;
            while (pos < end) {
                int st = scanTag(end);
                if (st == LABEL_NAME || st == LABEL_VALUE) {
                    int l = scanLength(end);
                    if (st == LABEL_NAME) {
                        nameAt = pos;
                        nameLen = l;
                    } else {
                        valueAt = pos;
                        valueLen = l;
                    }
                    pos += l;
                } else {
                    scanSkip(st, end);
                }
            }
            labelRanges.add(nameAt);
            labelRanges.add(nameLen);
            labelRanges.add(valueAt);
            labelRanges.add(valueLen);
            if (fieldStart != hashTo) {
                hashBytes(buf, hashFrom, hashTo - hashFrom);
                hashFrom = fieldStart;
            }
            hashTo = end;
        }
        hashBytes(buf, hashFrom, hashTo - hashFrom);
    }

    // ---- a minimal protobuf scanner on buf for the label pass: bounds-checked, allocation-free ----

    private int pos;

    private long scanVarint(int end) throws MalformedRequestException {
        long r = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw malformed(pos, "varint runs past the end of its message");
            }
            byte b = buf[pos++];
            r |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return r;
            }
        }
        throw malformed(pos, "varint longer than 10 bytes");
    }

    private int scanTag(int end) throws MalformedRequestException {
        long t = scanVarint(end);
        if (t >>> 3 == 0 || t > Integer.MAX_VALUE) {
            throw malformed(pos, "invalid field tag " + t);
        }
        return (int) t;
    }

    private int scanLength(int end) throws MalformedRequestException {
        long l = scanVarint(end);
        if (l < 0 || l > end - pos) {
            throw malformed(pos, "length " + l + " runs past the end of its message (" + (end - pos) + " bytes left)");
        }
        return (int) l;
    }

    /** Groups nested deeper are refused, as protobuf-java's default recursion limit refuses them. */
    static final int MAX_GROUP_DEPTH = 100;

    /** Skips the value of a field with tag t (a group up to its end tag). */
    private void scanSkip(int t, int end) throws MalformedRequestException {
        scanSkip(t, end, 0);
    }

    private void scanSkip(int t, int end, int depth) throws MalformedRequestException {
        switch (WireFormat.getTagWireType(t)) {
            case WireFormat.WIRETYPE_VARINT -> scanVarint(end);
            case WireFormat.WIRETYPE_FIXED64 -> scanFixed(8, end);
            case WireFormat.WIRETYPE_FIXED32 -> scanFixed(4, end);
            case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                int l = scanLength(end);
                pos += l;
            }
            case WireFormat.WIRETYPE_START_GROUP -> {
                if (depth == MAX_GROUP_DEPTH) {
                    throw malformed(pos, "groups nested more than " + MAX_GROUP_DEPTH + " deep");
                }
                int endTag = (t & ~7) | WireFormat.WIRETYPE_END_GROUP;
                for (int g = scanTag(end); g != endTag; g = scanTag(end)) {
                    scanSkip(g, end, depth + 1);
                }
            }
            default -> throw malformed(pos, "invalid wire type in tag " + t);
        }
    }

    private void scanFixed(int n, int end) throws MalformedRequestException {
        if (end - pos < n) {
            throw malformed(pos, "fixed-size field runs past the end of its message");
        }
        pos += n;
    }

    @Override
    void decodeLabels() {
        if (rangesOf != seriesFrom) {
            // A series known by its looked-ahead ref was not scanned; the look-ahead scanned it without an error.
            try {
                scanLabels(seriesFrom, seriesTo);
            } catch (MalformedRequestException e) {
                throw new IllegalStateException("series at byte " + seriesFrom + " scanned before without an error", e);
            }
            resetHash();
        }
        int[] r = labelRanges.a;
        for (int i = 0; i < labelRanges.size; i += 4) {
            String name = string(r[i], r[i + 1], true, null);
            addLabel(name, string(r[i + 2], r[i + 3], false, name));
        }
    }

    /** A label string; invalid UTF-8 refuses the series (labelError) and yields a replacement-char version. */
    private String string(int pos, int l, boolean isName, String labelName) {
        String s = strings.get(pos, l);
        if (labelError == null && !strings.lastValid) {
            labelError = isName
                    ? new ValidationException(Reason.INVALID_LABEL_NAME, null, "label name at byte offset " + pos + " is not valid UTF-8")
                    : new ValidationException(Reason.INVALID_LABEL_VALUE, labelName,
                    "value of label \"" + labelName + "\" (byte offset " + pos + ") is not valid UTF-8");
        }
        return s;
    }

    // ---- Exemplar, metadata ----

    /** Exemplars are best effort, as in Prometheus: one with invalid UTF-8 labels is dropped, the series kept. */
    private void readExemplar(CodedInputStream in, int base) throws IOException, MalformedRequestException {
        Labels.Builder b = Labels.builder();
        double v = 0;
        long ts = 0;
        boolean utf8ok = true;
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == EX_LABEL) {
                int lim = in.pushLimit(readLength(in, base));
                String name = "", value = "";
                for (int st = in.readTag(); st != 0; st = in.readTag()) {
                    if (st == LABEL_NAME || st == LABEL_VALUE) {
                        int l = readLength(in, base);
                        int pos = base + in.getTotalBytesRead();
                        in.skipRawBytes(l);
                        utf8ok &= Utf8.isValid(buf, pos, l);
                        String s = new String(buf, pos, l, StandardCharsets.UTF_8);
                        if (st == LABEL_NAME) {
                            name = s;
                        } else {
                            value = s;
                        }
                    } else {
                        in.skipField(st);
                    }
                }
                in.popLimit(lim);
                b.set(name, value);
            } else if (t == EX_VALUE) {
                v = Double.longBitsToDouble(in.readRawLittleEndian64());
            } else if (t == EX_TIMESTAMP) {
                ts = in.readInt64();
            } else {
                in.skipField(t);
            }
        }
        if (utf8ok) {
            exemplar(b.build(), ts, v);
        }
    }

    private void metadata(int start, int len) throws MalformedRequestException {
        CodedInputStream in = CodedInputStream.newInstance(buf, start, len);
        int type = 0;
        String family = "", help = "", unit = "";
        try {
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == MD_TYPE) {
                    type = in.readEnum();
                } else if (t == MD_FAMILY) {
                    family = in.readString();
                } else if (t == MD_HELP) {
                    help = in.readString();
                } else if (t == MD_UNIT) {
                    unit = in.readString();
                } else {
                    in.skipField(t);
                }
            }
        } catch (IOException e) {
            throw malformed(start + in.getTotalBytesRead(), e.getMessage());
        }
        context.metadata(family, MetricType.ofNumber(type), help, unit);
        metadataReceived++;
    }
}
