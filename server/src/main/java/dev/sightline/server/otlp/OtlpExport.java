package dev.sightline.server.otlp;

import com.google.protobuf.Message;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.server.ingest.StorageUnavailableException;

/**
 * One OTLP signal's Export as both transports serve it (OTLP/HTTP at {@link #path}, gRPC
 * {@code <grpcPackage>.<grpcService>/Export}): decode a body, store and commit it, answer with the signal's response
 * message, count the outcome. {@code R} is the decoder's tally of the request.
 */
interface OtlpExport<R> {
    /** The OTLP/HTTP path, e.g. /v1/metrics. */
    String path();

    String grpcPackage();

    String grpcService();

    /** The request message's name, for error messages. */
    String requestName();

    /** Decodes the body (binary protobuf, or OTLP JSON), stores it and commits; runs on a worker thread. */
    R ingest(byte[] body, boolean json, String protocol) throws MalformedOtlpException, StorageUnavailableException;

    /** The response to a stored request: empty, or partial_success naming what was refused. */
    Message response(R result);

    /** Counts one answered request; {@code result} is null when nothing was decoded. */
    void count(String protocol, String code, R result);

    /** Counts a body refused for its size. */
    void bodyTooLarge(String protocol);
}
