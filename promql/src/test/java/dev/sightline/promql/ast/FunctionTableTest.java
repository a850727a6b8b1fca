package dev.sightline.promql.ast;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class FunctionTableTest {
    @Test
    void everyFunctionHasOneDocWithANamePerArgumentType() {
        for (Function f : FunctionTable.all()) {
            FunctionTable.Doc doc = FunctionTable.doc(f.name());
            assertThat(doc).as(f.name()).isNotNull();
            assertThat(doc.argNames()).as(f.name()).hasSameSizeAs(f.argTypes()).allMatch(n -> n.matches("[a-z_]+"));
            assertThat(doc.description()).as(f.name()).isNotBlank().doesNotContain("\n");
        }
    }

    @Test
    void noDocNamesAFunctionTheTableLacks() throws Exception {
        Properties p = new Properties();
        try (InputStream in = FunctionTable.class.getResourceAsStream("functions.properties")) {
            p.load(in);
        }
        Set<String> table = FunctionTable.all().stream().map(Function::name).collect(Collectors.toSet());
        assertThat(p.stringPropertyNames()).isEqualTo(table);
        assertThat(FunctionTable.doc("no_such_function")).isNull();
    }

    @Test
    void signaturesShowOptionalAndRepeatedArguments() {
        assertThat(FunctionTable.signature(FunctionTable.get("rate"))).isEqualTo("rate(v range-vector) instant-vector");
        assertThat(FunctionTable.signature(FunctionTable.get("clamp")))
                .isEqualTo("clamp(v instant-vector, min scalar, max scalar) instant-vector");
        assertThat(FunctionTable.signature(FunctionTable.get("round")))
                .isEqualTo("round(v instant-vector[, to_nearest scalar]) instant-vector");
        assertThat(FunctionTable.signature(FunctionTable.get("hour"))).isEqualTo("hour([v instant-vector]) instant-vector");
        assertThat(FunctionTable.signature(FunctionTable.get("label_join")))
                .isEqualTo("label_join(v instant-vector, dst string, separator string[, src string...]) instant-vector");
        assertThat(FunctionTable.signature(FunctionTable.get("histogram_quantiles")))
                .isEqualTo("histogram_quantiles(v instant-vector, label string, phi scalar[, more_phi scalar...]) instant-vector");
        assertThat(FunctionTable.signature(FunctionTable.get("time"))).isEqualTo("time() scalar");
    }
}
