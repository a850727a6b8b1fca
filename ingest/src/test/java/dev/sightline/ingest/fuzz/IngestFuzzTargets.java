package dev.sightline.ingest.fuzz;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.ingest.exposition.ExpositionFuzzTargets;
import dev.sightline.ingest.logs.LogsFuzzTargets;
import dev.sightline.ingest.otlp.OtlpFuzzTargets;
import dev.sightline.ingest.remotewrite.RemoteWriteFuzzTargets;
import dev.sightline.ingest.zipkin.ZipkinFuzzTargets;

import java.util.List;
import java.util.stream.Stream;

/** Every ingest decoder's fuzz target: run here at decoder level, and by the server's tests over HTTP. */
public final class IngestFuzzTargets {
    private IngestFuzzTargets() {
    }

    public static List<FuzzTarget> all() {
        return Stream.of(RemoteWriteFuzzTargets.all(), OtlpFuzzTargets.all(), LogsFuzzTargets.all(), ZipkinFuzzTargets.all(),
                ExpositionFuzzTargets.all()).flatMap(List::stream).toList();
    }
}
