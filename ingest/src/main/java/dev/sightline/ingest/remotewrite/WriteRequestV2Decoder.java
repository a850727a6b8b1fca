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
 * Decodes an io.prometheus.write.v2.Request (remote-write 2.0) straight into a storage {@link Appender}, like the 1.0
 * decoder: no message objects. Strings live once in the request's symbol table and are turned into Java strings
 * once per request, when first referenced. The message is read in passes: symbols and series positions first
 * (protobuf does not promise that symbols come first), then per series its labels and metadata, then its samples,
 * histograms and exemplars.
 *
 * <p>A symbol reference outside the table, an odd number of label references or a truncated message makes the
 * request malformed ({@link MalformedRequestException}, nothing kept). Invalid UTF-8 in a referenced label symbol
 * refuses that series as in 1.0. A series' metadata goes to the context under its metric name. An exemplar without a
 * timestamp takes the timestamp of the series' last sample in the request.
 *
 * <p>Start timestamps: a Sample's or Histogram's {@code start_timestamp} (2.0-rc.4, fields 3 and 17) is its start
 * timestamp; one without takes its series' {@code created_timestamp} (TimeSeries field 6, where senders before rc.4
 * put it, reserved since). 0 means none, and a start after the sample's timestamp is dropped (none).
 */
final class WriteRequestV2Decoder extends RemoteWriteDecoder {
    // Request
    private static final int REQ_SYMBOLS = tag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int REQ_TIMESERIES = tag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    // TimeSeries
    private static final int TS_LABELS_REFS = 1;
    private static final int TS_SAMPLE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TS_HISTOGRAM = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TS_EXEMPLAR = tag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TS_METADATA = tag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TS_CREATED_TIMESTAMP = tag(6, WireFormat.WIRETYPE_VARINT);
    // Exemplar
    private static final int EX_LABELS_REFS = 1;
    private static final int EX_VALUE = tag(2, WireFormat.WIRETYPE_FIXED64);
    private static final int EX_TIMESTAMP = tag(3, WireFormat.WIRETYPE_VARINT);
    // Metadata
    private static final int MD_TYPE = tag(1, WireFormat.WIRETYPE_VARINT);
    private static final int MD_HELP_REF = tag(3, WireFormat.WIRETYPE_VARINT);
    private static final int MD_UNIT_REF = tag(4, WireFormat.WIRETYPE_VARINT);

    private static final byte UTF8_UNKNOWN = 0, UTF8_OK = 1, UTF8_BAD = 2;

    // The symbol table: byte ranges, decoded strings and UTF-8 validity, filled lazily.
    private final HistogramReader.Ints symbolStart = new HistogramReader.Ints();
    private final HistogramReader.Ints symbolLength = new HistogramReader.Ints();
    private String[] symbols;
    private byte[] symbolUtf8;
    // Label refs of the series being read (kept until its labels are decoded, maybe lazily) and of an exemplar.
    private final HistogramReader.Ints seriesRefs = new HistogramReader.Ints();
    private final HistogramReader.Ints exemplarRefs = new HistogramReader.Ints();

    WriteRequestV2Decoder(byte[] buf, Appender appender, IngestContext context, LabelLimits labelLimits, int maxReportedErrors) {
        super(buf, appender, context, labelLimits, maxReportedErrors, "io.prometheus.write.v2.Request", true);
    }

    @Override
    void decode(int off, int len) throws MalformedRequestException {
        HistogramReader.Ints seriesStart = new HistogramReader.Ints();
        HistogramReader.Ints seriesLength = new HistogramReader.Ints();
        CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
        try {
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == REQ_SYMBOLS || t == REQ_TIMESERIES) {
                    int l = readLength(in, off);
                    int start = off + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    (t == REQ_SYMBOLS ? symbolStart : seriesStart).add(start);
                    (t == REQ_SYMBOLS ? symbolLength : seriesLength).add(l);
                } else {
                    in.skipField(t);
                }
            }
        } catch (IOException e) {
            throw malformed(off + in.getTotalBytesRead(), e.getMessage());
        }
        symbols = new String[symbolStart.size];
        symbolUtf8 = new byte[symbolStart.size];
        for (int i = 0; i < seriesStart.size; i++) {
            timeSeries(seriesStart.a[i], seriesLength.a[i]);
        }
    }

    private void timeSeries(int start, int len) throws MalformedRequestException {
        seriesRefs.size = 0;
        seriesStartTimestamp = 0;
        int mdType = 0, mdHelp = 0, mdUnit = 0;
        boolean hasMetadata = false;
        CodedInputStream in = CodedInputStream.newInstance(buf, start, len);
        try {
            // First pass: label refs, metadata and the series' start timestamp.
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (WireFormat.getTagFieldNumber(t) == TS_LABELS_REFS) {
                    readRefs(in, t, start, seriesRefs);
                } else if (t == TS_METADATA) {
                    int lim = in.pushLimit(readLength(in, start));
                    for (int st = in.readTag(); st != 0; st = in.readTag()) {
                        if (st == MD_TYPE) {
                            mdType = in.readEnum();
                        } else if (st == MD_HELP_REF) {
                            mdHelp = checkRef(in.readRawVarint32(), start + in.getTotalBytesRead(), "metadata help_ref");
                        } else if (st == MD_UNIT_REF) {
                            mdUnit = checkRef(in.readRawVarint32(), start + in.getTotalBytesRead(), "metadata unit_ref");
                        } else {
                            in.skipField(st);
                        }
                    }
                    in.popLimit(lim);
                    hasMetadata = true;
                } else if (t == TS_CREATED_TIMESTAMP) {
                    seriesStartTimestamp = in.readInt64();
                } else {
                    in.skipField(t);
                }
            }
        } catch (IOException e) {
            throw malformed(start + in.getTotalBytesRead(), e.getMessage());
        }
        checkLabelRefs(seriesRefs, start, "timeseries labels_refs");
        for (int i = 0; i < seriesRefs.size; i++) {
            int sym = seriesRefs.a[i];
            hashBytes(buf, symbolStart.a[sym], symbolLength.a[sym]);
        }
        startSeries();
        if (hasMetadata && !refused() && (mdType != 0 || mdHelp != 0 || mdUnit != 0)) {
            context.metadata(metricName(), MetricType.ofNumber(mdType), symbol(mdHelp), symbol(mdUnit));
            metadataReceived++;
        }

        in = CodedInputStream.newInstance(buf, start, len);
        long lastTs = 0;
        try {
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == TS_SAMPLE) {
                    lastTs = readSample(in, start);
                } else if (t == TS_HISTOGRAM) {
                    lastTs = readHistogramSample(in, start);
                } else if (t == TS_EXEMPLAR) {
                    int lim = in.pushLimit(readLength(in, start));
                    readExemplar(in, start, lastTs);
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
        } catch (IOException e) {
            throw malformed(start + in.getTotalBytesRead(), e.getMessage());
        }
    }

    /** Adds to {@code out} a repeated uint32, packed (proto3's default) or not. */
    private void readRefs(CodedInputStream in, int t, int base, HistogramReader.Ints out) throws IOException, MalformedRequestException {
        int wire = WireFormat.getTagWireType(t);
        if (wire == WireFormat.WIRETYPE_VARINT) {
            out.add(in.readRawVarint32());
        } else if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int lim = in.pushLimit(readLength(in, base));
            while (in.getBytesUntilLimit() > 0) {
                out.add(in.readRawVarint32());
            }
            in.popLimit(lim);
        } else {
            in.skipField(t);
        }
    }

    /** Label refs come in name/value pairs, each a symbol of the request, or the request is malformed. */
    private void checkLabelRefs(HistogramReader.Ints refs, long offset, String what) throws MalformedRequestException {
        if (refs.size % 2 != 0) {
            throw malformed(offset, what + " has " + refs.size + " entries, not name/value pairs");
        }
        for (int i = 0; i < refs.size; i++) {
            checkRef(refs.a[i], offset, what + "[" + i + "]");
        }
    }

    /** The value of the series' __name__ label, "" if it has none. */
    private String metricName() {
        for (int i = 0; i < seriesRefs.size; i += 2) {
            if (symbol(seriesRefs.a[i]).equals(Labels.METRIC_NAME)) {
                return symbol(seriesRefs.a[i + 1]);
            }
        }
        return "";
    }

    @Override
    void decodeLabels() {
        for (int i = 0; i < seriesRefs.size; i += 2) {
            int name = seriesRefs.a[i], value = seriesRefs.a[i + 1];
            if (labelError == null && !validUtf8(name)) {
                labelError = new ValidationException(Reason.INVALID_LABEL_NAME, null,
                        "label name (symbol " + name + ") is not valid UTF-8");
            } else if (labelError == null && !validUtf8(value)) {
                labelError = new ValidationException(Reason.INVALID_LABEL_VALUE, symbol(name),
                        "value of label \"" + symbol(name) + "\" (symbol " + value + ") is not valid UTF-8");
            }
            addLabel(symbol(name), symbol(value));
        }
    }

    private int checkRef(int ref, long offset, String what) throws MalformedRequestException {
        if (ref < 0 || ref >= symbols.length) {
            throw malformed(offset, what + " refers to symbol " + Integer.toUnsignedString(ref) + " but the request has "
                    + symbols.length + " symbols");
        }
        return ref;
    }

    private String symbol(int i) {
        String s = symbols[i];
        if (s == null) {
            s = new String(buf, symbolStart.a[i], symbolLength.a[i], StandardCharsets.UTF_8);
            symbols[i] = s;
        }
        return s;
    }

    private boolean validUtf8(int i) {
        if (symbolUtf8[i] == UTF8_UNKNOWN) {
            symbolUtf8[i] = Utf8.isValid(buf, symbolStart.a[i], symbolLength.a[i]) ? UTF8_OK : UTF8_BAD;
        }
        return symbolUtf8[i] == UTF8_OK;
    }

    /** Exemplars are best effort, as in Prometheus: one with invalid UTF-8 labels is dropped, the series kept. */
    private void readExemplar(CodedInputStream in, int base, long lastTs) throws IOException, MalformedRequestException {
        exemplarRefs.size = 0;
        double v = 0;
        long ts = 0;
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (WireFormat.getTagFieldNumber(t) == EX_LABELS_REFS) {
                readRefs(in, t, base, exemplarRefs);
            } else if (t == EX_VALUE) {
                v = Double.longBitsToDouble(in.readRawLittleEndian64());
            } else if (t == EX_TIMESTAMP) {
                ts = in.readInt64();
            } else {
                in.skipField(t);
            }
        }
        checkLabelRefs(exemplarRefs, base + in.getTotalBytesRead(), "exemplar labels_refs");
        Labels.Builder b = Labels.builder();
        boolean utf8ok = true;
        for (int i = 0; i < exemplarRefs.size; i += 2) {
            int name = exemplarRefs.a[i], value = exemplarRefs.a[i + 1];
            utf8ok &= validUtf8(name) && validUtf8(value);
            b.set(symbol(name), symbol(value));
        }
        if (utf8ok) {
            exemplar(b.build(), ts != 0 ? ts : lastTs, v);
        }
    }
}
