package dev.sightline.ingest.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import dev.sightline.ingest.JsonErrors;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Walks an OTLP JSON body against its request's protobuf descriptor before protobuf's JsonFormat parses it, so a
 * malformed body is named by JSON pointer and byte offset (JsonFormat's messages name neither). It accepts what the
 * OTLP JSON encoding allows: field names in lowerCamelCase or as in the .proto, 64-bit integers as numbers or strings,
 * enums as names or integers, ids and bytes as strings, null for a default; unknown fields are skipped, as OTLP
 * receivers must.
 */
final class OtlpJsonCheck {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(128).build()).build();

    private OtlpJsonCheck() {
    }

    static void check(byte[] body, Descriptor root, String what) throws MalformedOtlpException {
        JsonParser p = null;
        try {
            p = JSON.createParser(body);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed(p, what, p.currentTokenLocation().getByteOffset(), "want a JSON object, got " + describe(p));
            }
            message(p, root, what);
            if (p.nextToken() != null) {
                throw malformed(p, what, p.currentTokenLocation().getByteOffset(), "content after the request object");
            }
        } catch (JsonProcessingException e) {
            throw malformed(p, what, JsonErrors.location(e, p).getByteOffset(), e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedOtlpException("invalid OTLP JSON " + what + ": " + e.getMessage(), e);
        }
    }

    /** A message's fields, the parser on its START_OBJECT. */
    private static void message(JsonParser p, Descriptor d, String what) throws IOException, MalformedOtlpException {
        Map<OneofDescriptor, FieldDescriptor> oneofs = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            FieldDescriptor f = field(d, p.currentName());
            JsonToken t = p.nextToken();
            if (f == null) {
                p.skipChildren(); // unknown fields are ignored
            } else if (t != JsonToken.VALUE_NULL) {
                OneofDescriptor oneof = f.getRealContainingOneof();
                if (oneof != null) {
                    // JsonFormat refuses a second member of a oneof (an AnyValue's value, a point's asDouble/asInt).
                    oneofs = oneofs == null ? new HashMap<>() : oneofs;
                    FieldDescriptor first = oneofs.putIfAbsent(oneof, f);
                    expect(p, first == null || first == f, what, "want one member of oneof " + oneof.getName()
                            + " only (" + (first == null ? "" : first.getJsonName()) + " is already set)");
                }
                if (f.isRepeated()) {
                    expect(p, t == JsonToken.START_ARRAY, what, "want an array");
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        value(p, f, what);
                    }
                } else {
                    value(p, f, what);
                }
            }
        }
    }

    private static FieldDescriptor field(Descriptor d, String name) {
        FieldDescriptor f = d.findFieldByName(name);
        if (f != null) {
            return f;
        }
        for (FieldDescriptor c : d.getFields()) {
            if (c.getJsonName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** One value of field {@code f}, the parser on its first token. */
    private static void value(JsonParser p, FieldDescriptor f, String what) throws IOException, MalformedOtlpException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        switch (f.getJavaType()) {
            case MESSAGE -> {
                expect(p, t == JsonToken.START_OBJECT, what, "want an object");
                message(p, f.getMessageType(), what);
            }
            case INT, LONG -> {
                expectShortNumber(p, what);
                BigInteger v = integer(p);
                expect(p, v != null, what, "want an integer (a number or a string of digits)");
                expect(p, fits(v, f.getType()), what, "want an integer within " + f.getType().name().toLowerCase(Locale.ROOT));
            }
            case FLOAT, DOUBLE -> {
                expectShortNumber(p, what);
                expect(p, t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT
                        || t == JsonToken.VALUE_STRING && number(p.getText()), what, "want a number");
                expect(p, f.getJavaType() != FieldDescriptor.JavaType.DOUBLE || inDoubleRange(p.getText()), what,
                        "want a number within the range of a double");
            }
            case BOOLEAN -> expect(p, t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE
                    || t == JsonToken.VALUE_STRING && (p.getText().equals("true") || p.getText().equals("false")),
                    what, "want true or false");
            case STRING -> expect(p, t == JsonToken.VALUE_STRING, what, "want a string");
            case BYTE_STRING -> {
                expect(p, t == JsonToken.VALUE_STRING, what, "want a string");
                if (f.getContainingType().getName().equals("Exemplar")) {
                    // An exemplar's traceId/spanId must be hex (OtlpCodec reads it so); elsewhere a bad id drops that span alone.
                    expect(p, hexId(p.getText()), what, "want a hex id (whole bytes, a multiple of 4 digits)");
                } else {
                    expect(p, base64(p.getText()), what, "want base64 bytes");
                }
            }
            case ENUM -> expect(p, t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT, what,
                    "want an enum name or number");
        }
    }

    /** Any integer that fits no field: what {@link #integer} answers for one with more than 20 digits. */
    private static final BigInteger OUT_OF_RANGE = BigInteger.ONE.shiftLeft(65);

    /**
     * Jackson's limit on a number token's length, for a number in a string too: BigDecimal (here and in JsonFormat)
     * reads digits in time quadratic in their count (a string of 1 MiB digits took 50 s).
     */
    private static final int MAX_NUMBER_CHARS = StreamReadConstraints.DEFAULT_MAX_NUM_LEN;

    private static void expectShortNumber(JsonParser p, String what) throws IOException, MalformedOtlpException {
        if (p.currentToken() == JsonToken.VALUE_STRING && p.getTextLength() > MAX_NUMBER_CHARS) {
            throw malformed(p, what, p.currentTokenLocation().getByteOffset(), "want a number of at most "
                    + MAX_NUMBER_CHARS + " characters, got a string of " + p.getTextLength());
        }
    }

    /** The integer a number or a string of digits stands for (as JsonFormat reads it), or null. */
    private static BigInteger integer(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getBigIntegerValue();
        }
        String s = t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_STRING ? p.getText() : null;
        if (s == null) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(s);
            // Digits before the point beyond any 64-bit integer's 20: out of range, without building 10^exponent.
            return d.precision() - d.scale() > 20 ? OUT_OF_RANGE.multiply(BigInteger.valueOf(d.signum()))
                    : d.toBigIntegerExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private static boolean fits(BigInteger v, FieldDescriptor.Type type) {
        return switch (type) {
            case UINT32, FIXED32 -> v.signum() >= 0 && v.bitLength() <= 32;
            case UINT64, FIXED64 -> v.signum() >= 0 && v.bitLength() <= 64;
            case INT64, SINT64, SFIXED64 -> v.bitLength() <= 63;
            default -> v.bitLength() <= 31;
        };
    }

    /**
     * Bytes as JsonFormat reads them (Guava's base64, else base64url): any trailing '=' dropped, then only characters
     * of one of the two alphabets, and not one character more than a multiple of 4.
     */
    private static boolean base64(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        if (end % 4 == 1) {
            return false;
        }
        boolean standard = true, url = true;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean common = c < 128 && Character.isLetterOrDigit(c);
            standard &= common || c == '+' || c == '/';
            url &= common || c == '-' || c == '_';
        }
        return standard || url;
    }

    /** Hex that JsonFormat's base64 reading keeps intact: hex digits only, a multiple of 4 of them. */
    private static boolean hexId(String s) {
        if (s.length() % 4 != 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!HexFormat.isHexDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The largest magnitude JsonFormat takes for a double: Double.MAX_VALUE with its tolerance of 1 in a million. */
    private static final BigDecimal MAX_DOUBLE = new BigDecimal(String.valueOf(Double.MAX_VALUE))
            .multiply(new BigDecimal(String.valueOf(1.000001)));

    /** A number JsonFormat does not refuse as "Out of range double value" (1e309 was refused with no position). */
    private static boolean inDoubleRange(String s) {
        return s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity")
                || new BigDecimal(s.trim()).abs().compareTo(MAX_DOUBLE) <= 0;
    }

    private static boolean number(String s) {
        if (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity")) {
            return true;
        }
        try {
            new BigDecimal(s.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void expect(JsonParser p, boolean ok, String what, String want) throws IOException, MalformedOtlpException {
        if (!ok) {
            throw malformed(p, what, p.currentTokenLocation().getByteOffset(), want + ", got " + describe(p));
        }
    }

    private static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "the end of the body";
        }
        if (t == JsonToken.VALUE_STRING) {
            return "string \"" + p.getText() + "\"";
        }
        return t.isNumeric() ? "number " + p.getText() : t.isScalarValue() ? p.getText() : t.asString();
    }

    private static MalformedOtlpException malformed(JsonParser p, String what, long offset, String reason) {
        String path = p == null ? "" : p.getParsingContext().pathAsPointer().toString();
        return new MalformedOtlpException("invalid OTLP JSON " + what + " at " + (path.isEmpty() ? "/" : path)
                + (offset < 0 ? "" : " (byte offset " + offset + ")") + ": " + reason, null);
    }
}
