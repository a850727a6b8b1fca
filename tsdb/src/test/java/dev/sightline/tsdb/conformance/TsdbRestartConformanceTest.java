package dev.sightline.tsdb.conformance;

import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;

import java.nio.file.Path;

/**
 * The read conformance suite against the whole database after a restart: the blocks are read from disk, the head is
 * rebuilt from the WAL and its full chunks from the memory-mapped chunk files.
 */
class TsdbRestartConformanceTest extends TsdbConformanceTest {
    @Override
    Tsdb reopen(Tsdb db, Path path, TsdbOptions options) throws Exception {
        db.close();
        return Tsdb.open(path, options);
    }
}
