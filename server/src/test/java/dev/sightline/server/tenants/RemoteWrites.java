package dev.sightline.server.tenants;

import com.google.protobuf.CodedOutputStream;
import dev.sightline.server.RunningServer;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.snappy;

/** What the tenant tests send: remote-write requests as a tenant, built field by field. */
final class RemoteWrites {
    private RemoteWrites() {
    }

    /** A 1.0 Label message (field 1 of a TimeSeries or an Exemplar). */
    static void label(CodedOutputStream o, String name, String value) throws IOException {
        o.writeByteArray(1, message(l -> {
            l.writeString(1, name);
            l.writeString(2, value);
        }));
    }

    /** Posts the snappy-compressed request {@code raw} of protobuf message {@code proto} as {@code tenant}. */
    static HttpResponse<String> write(RunningServer server, String tenant, byte[] raw, String proto) throws Exception {
        return server.send(server.request("/api/v1/write").header(Tenants.HEADER, tenant)
                .header("Content-Type", "application/x-protobuf;proto=" + proto).header("Content-Encoding", "snappy")
                .POST(HttpRequest.BodyPublishers.ofByteArray(snappy(raw))));
    }
}
