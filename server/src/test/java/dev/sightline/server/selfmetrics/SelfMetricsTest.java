package dev.sightline.server.selfmetrics;

import dev.sightline.server.BuildInfo;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SelfMetricsTest {
    @Test
    void scrapesTheJvmAndProcessFamiliesUsersDashboardOn() {
        String text = new String(new SelfMetrics(BuildInfo.current()).scrape(), StandardCharsets.UTF_8);
        // (jvm_memory_pool_allocated_bytes_total is registered too, but has samples only once a collection has run.)
        assertThat(text).contains("jvm_memory_used_bytes{", "jvm_threads_current ",
                "jvm_classes_currently_loaded ", "jvm_buffer_pool_used_bytes{", "jvm_gc_collection_seconds_count{",
                "jvm_compilation_time_seconds_total ", "jvm_runtime_info{", "process_cpu_seconds_total ",
                "sightline_build_info{");
        // This JVM runs without native memory tracking: the collector that would only report it is not registered.
        assertThat(text).doesNotContain("jvm_native_memory");
    }

    @Test
    void nativeMemoryTrackingIsOnWhenTheLastFlagSaysSo() {
        assertThat(SelfMetrics.nativeMemoryTracking(List.of())).isFalse();
        assertThat(SelfMetrics.nativeMemoryTracking(List.of("-Xmx1g", "-XX:NativeMemoryTracking=summary"))).isTrue();
        assertThat(SelfMetrics.nativeMemoryTracking(List.of("-XX:NativeMemoryTracking=detail"))).isTrue();
        assertThat(SelfMetrics.nativeMemoryTracking(List.of("-XX:NativeMemoryTracking=summary",
                "-XX:NativeMemoryTracking=off"))).isFalse();
    }
}
