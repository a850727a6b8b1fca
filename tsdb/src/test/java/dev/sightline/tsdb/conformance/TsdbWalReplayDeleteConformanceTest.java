package dev.sightline.tsdb.conformance;

/** The delete conformance suite after a restart without a head snapshot: the deletes come back from the WAL. */
class TsdbWalReplayDeleteConformanceTest extends TsdbRestartDeleteConformanceTest {
    TsdbWalReplayDeleteConformanceTest() {
        options = options.withHeadSnapshotOnShutdown(false);
    }
}
