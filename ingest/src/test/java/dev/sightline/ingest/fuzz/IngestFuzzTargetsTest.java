package dev.sightline.ingest.fuzz;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.core.fuzz.FuzzTests;
import dev.sightline.ingest.exposition.ExpositionFuzzTargets;
import dev.sightline.ingest.logs.LogsFuzzTargets;
import dev.sightline.ingest.otlp.OtlpFuzzTargets;
import dev.sightline.ingest.remotewrite.RemoteWriteFuzzTargets;
import dev.sightline.ingest.zipkin.ZipkinFuzzTargets;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

/** The ingest decoders' fuzz targets, each a short fixed-seed run here (a long one with benchmarks/fuzz.sh). */
class IngestFuzzTargetsTest {
    static List<FuzzTarget> targets() {
        return Stream.of(RemoteWriteFuzzTargets.all(), OtlpFuzzTargets.all(), LogsFuzzTargets.all(), ZipkinFuzzTargets.all(),
                ExpositionFuzzTargets.all()).flatMap(List::stream).toList();
    }

    @TestFactory
    Stream<DynamicTest> fuzz() {
        return FuzzTests.dynamicTests(targets());
    }
}
