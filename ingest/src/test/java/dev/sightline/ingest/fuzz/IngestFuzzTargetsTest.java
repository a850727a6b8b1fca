package dev.sightline.ingest.fuzz;

import dev.sightline.core.fuzz.FuzzTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The ingest decoders' fuzz targets, each a short fixed-seed run here (a long one with benchmarks/fuzz.sh). */
class IngestFuzzTargetsTest {
    @TestFactory
    Stream<DynamicTest> fuzz() {
        return FuzzTests.dynamicTests(IngestFuzzTargets.all());
    }
}
