package dev.sightline.server.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.tenants.RemoteWrites.label;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each tenant's exemplars are kept in a buffer of its own: one tenant writing many cannot evict another's, a tenant
 * holds at most its max_global_exemplars_per_user, and after a restart the exemplars the WAL replayed are read with
 * those written since.
 */
class TenantExemplarsTest {
    private static final long T = (System.currentTimeMillis() - 600_000) / 60_000 * 60_000;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void oneTenantsExemplarsCannotEvictAnothers() throws Exception {
        server.start(dir, """
                storage:
                  exemplars:
                    max_exemplars: 4
                tenants:
                  multitenancy_enabled: true
                  overrides:
                    capped: {max_global_exemplars_per_user: 2}
                """);
        write("quiet", "q", 1, 0);
        write("capped", "c", 5, 0);
        write("flood", "f", 10, 0);
        // The shared store has 4 slots: before, flood's ten evicted everything else.
        assertThat(traceIds("quiet")).containsExactly("q0");
        assertThat(traceIds("capped")).containsExactly("c3", "c4");
        assertThat(traceIds("flood")).containsExactly("f6", "f7", "f8", "f9");

        // The WAL replays every tenant's exemplars into the shared store's 4 slots: flood's last four come back, and
        // are read with the one written after the restart.
        server.restart();
        assertThat(traceIds("flood")).containsExactly("f6", "f7", "f8", "f9");
        write("flood", "f", 1, 10);
        assertThat(traceIds("flood")).containsExactly("f10", "f6", "f7", "f8", "f9");
    }

    /** {@code n} series {@code name{i}} of tenant, each one sample with an exemplar trace_id=name+i, from index {@code from}. */
    private static void write(String tenant, String name, int n, int from) throws Exception {
        byte[] raw = message(o -> {
            for (int i = from; i < from + n; i++) {
                int k = i;
                o.writeByteArray(1, message(s -> {
                    label(s, "__name__", "ex_" + name);
                    label(s, "i", Integer.toString(k));
                    s.writeByteArray(2, message(x -> {
                        x.writeDouble(1, k);
                        x.writeInt64(2, T + k * 1000L);
                    }));
                    s.writeByteArray(3, message(e -> {
                        label(e, "trace_id", name + k);
                        e.writeDouble(2, k);
                        e.writeInt64(3, T + k * 1000L);
                    }));
                }));
            }
        });
        HttpResponse<String> r = RemoteWrites.write(server, tenant, raw, "prometheus.WriteRequest");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    /** The trace ids of the tenant's exemplars, in series order. */
    private static List<String> traceIds(String tenant) throws Exception {
        HttpResponse<String> r = server.send(server.request("/api/v1/query_exemplars?query="
                + URLEncoder.encode("{__name__=~\"ex_.+\"}", StandardCharsets.UTF_8) + "&start=" + (T / 1000 - 60)
                + "&end=" + (T / 1000 + 600)).header(Tenants.HEADER, tenant));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode s : RunningServer.JSON.readTree(r.body()).path("data")) {
            s.path("exemplars").forEach(e -> out.add(e.path("labels").path("trace_id").asText()));
        }
        return out;
    }
}
