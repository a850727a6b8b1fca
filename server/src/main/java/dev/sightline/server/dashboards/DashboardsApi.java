package dev.sightline.server.dashboards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.http.HttpApi;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The dashboards API, in Prometheus's envelope ({@code {"status":"success","data":...}}, errors as
 * {@code {"status":"error","errorType":...,"error":...}}):
 * <ul>
 * <li>{@code GET /api/v1/dashboards}: every file, {@code [{uid, title, tags, file, error, notes}]}</li>
 * <li>{@code GET /api/v1/dashboards/<uid>}: the model (404 unknown, 422 with the file's error)</li>
 * <li>{@code GET /api/v1/dashboards/<uid>/yaml}: the YAML file to save, as text</li>
 * <li>{@code POST /api/v1/dashboards/import}: a Grafana export in; {@code {dashboard, yaml, notes}} out; nothing written</li>
 * <li>{@code POST /api/v1/dashboards/yaml}: the model's JSON in (the panel editor's); {@code {yaml}} out</li>
 * </ul>
 */
public final class DashboardsApi {
    private static final String JSON_TYPE = "application/json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Twice the largest file the store reads, for the envelope of a JSON body. */
    private static final long MAX_BODY = 2L * LocatedTree.MAX_BYTES;

    private final Supplier<DashboardStore> store;

    public DashboardsApi(Supplier<DashboardStore> store) {
        this.store = store;
    }

    public void register(HttpApi api) {
        api.get("/api/v1/dashboards", this::list);
        api.get("/api/v1/dashboards/:uid", this::model);
        api.get("/api/v1/dashboards/:uid/yaml", this::yaml);
        api.post("/api/v1/dashboards/import", MAX_BODY, ctx -> blocking(ctx, () -> {
            GrafanaImport.Result r = GrafanaImport.convert("request", HttpApi.bodyBytes(ctx), null);
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.set("dashboard", r.dashboard().tree(true));
            data.put("yaml", r.dashboard().yaml());
            data.set("notes", notes(r.notes()));
            return data;
        }));
        api.post("/api/v1/dashboards/yaml", MAX_BODY, ctx -> blocking(ctx, () -> {
            Dashboard d = DashboardReader.json("request", HttpApi.bodyBytes(ctx));
            return JsonNodeFactory.instance.objectNode().put("yaml", d.yaml());
        }));
    }

    private void list(RoutingContext ctx) {
        ArrayNode data = JsonNodeFactory.instance.arrayNode();
        for (DashboardStore.Entry e : store.get().entries()) {
            ObjectNode o = data.addObject();
            o.put("uid", e.uid());
            o.put("title", e.dashboard() == null ? null : e.dashboard().title());
            ArrayNode tags = o.putArray("tags");
            if (e.dashboard() != null) {
                e.dashboard().tags().forEach(tags::add);
            }
            o.put("file", e.file());
            o.put("error", e.error());
            o.set("notes", notes(e.notes()));
        }
        success(ctx, data);
    }

    private void model(RoutingContext ctx) {
        DashboardStore.Entry e = entry(ctx);
        if (e != null) {
            success(ctx, e.dashboard().tree(true));
        }
    }

    private void yaml(RoutingContext ctx) {
        DashboardStore.Entry e = entry(ctx);
        if (e != null) {
            HttpApi.respond(ctx, 200, "application/yaml; charset=utf-8", Buffer.buffer(e.dashboard().yaml()));
        }
    }

    /** The uid's entry with its dashboard, or null after answering 404 (none) or 422 (its file's error). */
    private DashboardStore.Entry entry(RoutingContext ctx) {
        String uid = ctx.pathParam("uid");
        DashboardStore.Entry e = store.get().get(uid);
        if (e == null) {
            error(ctx, 404, "not_found", "no dashboard with uid \"" + uid + "\"");
            return null;
        }
        if (e.dashboard() == null) {
            error(ctx, 422, "bad_data", e.error());
            return null;
        }
        return e;
    }

    private static ArrayNode notes(List<GrafanaImport.Note> notes) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (GrafanaImport.Note n : notes) {
            a.addObject().put("what", n.what()).put("reason", n.reason());
        }
        return a;
    }

    /** Parsing a body may take a while for a large export: off the event loop. */
    private static void blocking(RoutingContext ctx, Callable<ObjectNode> work) {
        ctx.vertx().executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                success(ctx, ar.result());
            } else if (ar.cause() instanceof ConfigException e) {
                error(ctx, 400, "bad_data", e.getMessage());
            } else {
                ctx.fail(ar.cause());
            }
        });
    }

    private static void success(RoutingContext ctx, Object data) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("status", "success");
        body.set("data", JSON.valueToTree(data));
        send(ctx, 200, body);
    }

    private static void error(RoutingContext ctx, int status, String type, String message) {
        send(ctx, status, JsonNodeFactory.instance.objectNode().put("status", "error").put("errorType", type).put("error", message));
    }

    private static void send(RoutingContext ctx, int status, ObjectNode body) {
        try {
            HttpApi.respond(ctx, status, JSON_TYPE, Buffer.buffer(JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8)));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
