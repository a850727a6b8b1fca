package dev.sightline.promql.engine;

import java.util.List;

public record Matrix(List<MatrixSeries> series) implements Value {
    @Override
    public String typeName() {
        return "matrix";
    }
}
