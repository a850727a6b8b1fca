package dev.sightline.ingest.remotewrite;

/** A request body that cannot be decoded at all; names the layer (snappy, protobuf) and the byte offset. */
public final class MalformedRequestException extends Exception {
    public enum Layer { SNAPPY, PROTOBUF }

    private final Layer layer;
    private final long offset;

    public MalformedRequestException(Layer layer, long offset, String reason) {
        this(layer, offset, reason, "WriteRequest");
    }

    /** {@code message} names the protobuf message being decoded (WriteRequest for 1.0, Request for 2.0). */
    public MalformedRequestException(Layer layer, long offset, String reason, String message) {
        super((layer == Layer.SNAPPY ? "malformed snappy block" : "malformed protobuf " + message)
                + " at byte offset " + offset + ": " + reason, null, false, false);
        this.layer = layer;
        this.offset = offset;
    }

    public Layer layer() {
        return layer;
    }

    /** Offset in the compressed body (snappy) or in the decompressed message (protobuf). */
    public long offset() {
        return offset;
    }
}
