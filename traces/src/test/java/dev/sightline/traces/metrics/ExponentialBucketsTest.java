package dev.sightline.traces.metrics;

import dev.sightline.core.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExponentialBucketsTest {
    @Test
    void schemaFromBucketFactorAsTheClientLibrariesPickIt() {
        assertThat(ExponentialBuckets.schemaOf(1.1)).isEqualTo(3); // Tempo's factor: 2^(1/8) = 1.0905 <= 1.1
        assertThat(ExponentialBuckets.schemaOf(2)).isEqualTo(0);
        assertThat(ExponentialBuckets.schemaOf(4)).isEqualTo(-1);
        assertThat(ExponentialBuckets.schemaOf(1.01)).isEqualTo(7);
        assertThat(ExponentialBuckets.schemaOf(1.0001)).isEqualTo(8);
        assertThat(ExponentialBuckets.schemaOf(1e9)).isEqualTo(-4);
        assertThatThrownBy(() -> ExponentialBuckets.schemaOf(1)).hasMessageContaining("more than 1");
    }

    @Test
    void bucketsAreClosedAbove() {
        // Schema 0: bucket i is (2^(i-1), 2^i].
        assertThat(ExponentialBuckets.index(1, 0)).isZero();
        assertThat(ExponentialBuckets.index(1.0000001, 0)).isEqualTo(1);
        assertThat(ExponentialBuckets.index(2, 0)).isEqualTo(1);
        assertThat(ExponentialBuckets.index(3, 0)).isEqualTo(2);
        assertThat(ExponentialBuckets.index(0.5, 0)).isEqualTo(-1);
        assertThat(ExponentialBuckets.index(0.3, 0)).isEqualTo(-1);
        // Schema 3: bucket i is (2^((i-1)/8), 2^(i/8)]; 2^(1/8) = 1.0905077.
        assertThat(ExponentialBuckets.index(1, 3)).isZero();
        assertThat(ExponentialBuckets.index(Math.pow(2, 1.0 / 8), 3)).isEqualTo(1);
        assertThat(ExponentialBuckets.index(1.0906, 3)).isEqualTo(2);
        assertThat(ExponentialBuckets.index(2, 3)).isEqualTo(8);
        assertThat(ExponentialBuckets.index(0.001, 3)).isEqualTo(-79); // log2(0.001) * 8 = -79.7
        // Schema -1: bucket i is (4^(i-1), 4^i].
        assertThat(ExponentialBuckets.index(4, -1)).isEqualTo(1);
        assertThat(ExponentialBuckets.index(5, -1)).isEqualTo(2);
        assertThat(ExponentialBuckets.index(0.25, -1)).isEqualTo(-1);
        assertThat(ExponentialBuckets.index(0.26, -1)).isZero();
    }

    @Test
    void everyValueLiesInItsBucketAtEverySchema() {
        Random r = new Random(1);
        for (int n = 0; n < 20_000; n++) {
            double v = Math.exp(r.nextGaussian() * 8);
            for (int schema = -4; schema <= 8; schema++) {
                int i = ExponentialBuckets.index(v, schema);
                double base = Math.pow(2, Math.pow(2, -schema));
                double log = Math.log(v) / Math.log(base); // v in (base^(i-1), base^i]: log in (i-1, i]
                assertThat(log).as("v=%s schema=%d index=%d", v, schema, i).isGreaterThan(i - 1 - 1e-9).isLessThanOrEqualTo(i + 1e-9);
            }
        }
    }

    @Test
    void zeroAndTinyValuesGoToTheZeroBucket() {
        ExponentialBuckets b = new ExponentialBuckets(3, 100);
        b.observe(0);
        b.observe(ExponentialBuckets.ZERO_THRESHOLD);
        b.observe(1);
        Histogram h = b.toHistogram(3, 1);
        assertThat(h.zeroCount).isEqualTo(2);
        assertThat(h.zeroThreshold).isEqualTo(0x1p-128);
        assertThat(h.positiveBuckets).containsExactly(1);
        h.validate();
    }

    @Test
    void spansFollowRunsOfPopulatedBuckets() {
        ExponentialBuckets b = new ExponentialBuckets(0, 100);
        for (double v : List.of(1.0, 1.5, 2.0, 3.0, 16.0, 16.0, 0.25)) {
            b.observe(v);
        }
        // Buckets: -2 (0.25), 0 (1), 1 (1.5, 2), 2 (3), 4 (16, 16).
        Histogram h = b.toHistogram(7, 40.25);
        h.validate();
        assertThat(h.schema).isZero();
        assertThat(h.positiveSpanOffsets).containsExactly(-2, 1, 1);
        assertThat(h.positiveSpanLengths).containsExactly(1, 3, 1);
        assertThat(h.positiveBuckets).containsExactly(1, 1, 2, 1, 2);
        assertThat(h.count).isEqualTo(7);
        assertThat(h.sum).isEqualTo(40.25);
    }

    @Test
    void tooManyBucketsHalveTheResolution() {
        ExponentialBuckets b = new ExponentialBuckets(0, 2);
        b.observe(1); // bucket 0
        b.observe(2); // bucket 1
        assertThat(b.schema()).isZero();
        b.observe(4); // bucket 2: three populated, more than 2 -> schema -1: 0 -> 0, 1 -> 1, 2 -> 1
        assertThat(b.schema()).isEqualTo(-1);
        assertThat(b.count(0)).isEqualTo(1);
        assertThat(b.count(1)).isEqualTo(2);
        assertThat(b.populated()).isEqualTo(2);
        b.observe(3); // (1, 4] at schema -1: bucket 1
        assertThat(b.count(1)).isEqualTo(3);
        b.observe(0.1); // (1/16, 1/4]: bucket -1, three populated again -> schema -2: -1 -> 0, 0 -> 0, 1 -> 1
        assertThat(b.schema()).isEqualTo(-2);
        assertThat(b.count(0)).isEqualTo(2);
        assertThat(b.count(1)).isEqualTo(3);
        Histogram h = b.toHistogram(5, 10.1);
        h.validate();
        assertThat(h.positiveSpanOffsets).containsExactly(0);
        assertThat(h.positiveBuckets).containsExactly(2, 3);
    }

    @Test
    void aWideSpreadOfValuesLowersTheResolutionToBoundMemory() {
        ExponentialBuckets b = new ExponentialBuckets(8, 10);
        b.observe(1e-30);
        b.observe(1e30);
        assertThat(b.populated()).isEqualTo(2);
        assertThat(b.schema()).isLessThan(8);
        Histogram h = b.toHistogram(2, 1e30);
        h.validate();
        assertThat(h.positiveBuckets).containsExactly(1, 1);
    }
}
